"""E-mail notifications: rendered from templates/email/<name>.{subject.txt,txt,html}, sent by a
task on the `email` queue through Django's e-mail backend (SMTP from the environment).

The request that causes an e-mail only checks its context and queues it: rendering and, for `to=STAFF`,
finding the recipients happen in the worker, off the request path."""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from platform_core.notifications import STAFF, Recipients
from platform_core.selectors.accounts import staff_emails
from platform_core.services.tasks import task_enqueue
from platform_core.taskbase import RetryableError

SEND_TASK = "integrations.email.tasks.email_send"
# Each template and the context it needs (it may take more: buyer_score, name, customer_name).
TEMPLATES = {
    "assessment_completed": ("respondent_email", "company_name", "overall_score", "admin_url"),  # to staff
    "claim_link": ("claim_url", "overall_score", "expires_at"),  # to the respondent
    "export_ready": ("title", "format", "download_url", "expires_at"),
    "ai_budget_alert": ("spent_usd", "budget_usd", "percent_used"),  # to staff
    "endpoint_disabled": ("url", "reason", "customer_name"),  # to the customer's owners and admins
    "team_invitation": ("invite_url", "inviter", "role", "expires_at"),  # to the invitee (no free text)
    "dead_letters_alert": ("open_count", "threshold", "task_name", "error", "admin_url"),  # to staff
    "email_verification": ("verify_url", "valid_hours"),  # to a new account's address
    "account_exists": ("login_url",),  # to the owner of an address someone tried to register again
    "platform_report": ("days",),  # to staff, weekly, with the PDF attached (exports.reports)
}


def _context_check(*, template: str, context: dict[str, Any]) -> None:
    if template not in TEMPLATES:
        raise ValueError(f"Unknown e-mail template {template!r}")
    if missing := [key for key in TEMPLATES[template] if key not in context]:
        raise ValueError(f"E-mail {template!r} needs {', '.join(missing)} in its context")


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text body, HTML body) of a notification."""
    _context_check(template=template, context=context)
    context = {"site_name": settings.EMAIL_SITE_NAME, "frontend_url": settings.FRONTEND_URL, **context}
    subject = " ".join(render_to_string(f"email/{template}.subject.txt", context).split())
    return (
        subject,
        render_to_string(f"email/{template}.txt", context),
        render_to_string(f"email/{template}.html", context),
    )


def email_enqueue(*, template: str, to: Recipients, context: dict[str, Any]) -> str:
    """Send after the caller's transaction commits (context must be JSON: it travels in the task).

    A context that lacks a key fails the caller, not the queue; the templates themselves are
    rendered by the worker (tests/integrations/email renders each one)."""
    _context_check(template=template, context=context)
    return task_enqueue(task_name=SEND_TASK, kwargs={"template": template, "to": to, "context": context})


def email_send(*, template: str, to: Recipients, context: dict[str, Any]) -> int:
    """Render and send now (0: nobody to send to); connection trouble is retried, a refused recipient is not."""
    recipients = staff_emails() if to == STAFF else to
    if not recipients:
        return 0
    subject, text, html = email_render(template=template, context=context)
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=recipients)
    message.attach_alternative(html, "text/html")
    try:
        return message.send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused):
        raise
    except (smtplib.SMTPException, OSError) as exc:
        raise RetryableError(f"The mail server did not take the message: {exc}", code="smtp_unavailable") from exc
