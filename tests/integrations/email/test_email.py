"""E-mails rendered from templates/email/ and sent through Django's SMTP backend to a real SMTP
server (aiosmtpd) on 127.0.0.1, by the task that runs on the `email` queue."""

from typing import Any

import pytest

from integrations.email.services import TEMPLATES, email_enqueue, email_send
from integrations.email.tasks import email_send as email_send_task
from platform_core.notifications import STAFF
from platform_core.taskbase import RetryableError
from scripts.stack import free_port
from tests.fakes.smtp_server import smtp_server
from tests.platform_core.factories import UserFactory

CASES: dict[str, tuple[dict[str, Any], str, list[str]]] = {
    "assessment_completed": (
        {"respondent_email": "founder@acme.example", "company_name": "Acme", "overall_score": 72,
         "buyer_score": 64, "admin_url": "https://admin.example.com/a/1"},
        "New assessment completed: Acme (72/100)", ["founder@acme.example", "72/100", "https://admin.example.com/a/1"],
    ),
    "claim_link": (
        {"claim_url": "https://app.example.com/claim/tok", "overall_score": 81, "expires_at": "2026-11-27 10:00 UTC",
         "name": "Dana"},
        "Your Andru assessment results are ready", ["Hello Dana", "https://app.example.com/claim/tok", "81/100"],
    ),
    "export_ready": (
        {"title": "ICP report", "format": "pdf", "download_url": "https://files.example.com/x.pdf",
         "expires_at": "2026-11-27 10:00 UTC"},
        "Your PDF export of ICP report is ready", ["https://files.example.com/x.pdf"],
    ),
    "ai_budget_alert": (
        {"spent_usd": "412.00", "budget_usd": "500.00", "percent_used": 82},
        "AI spend alert: 82% of the monthly budget used", ["$412.00", "$500.00 budget (82%)"],
    ),
    "platform_report": (
        {"days": 7},
        "Weekly platform report: the last 7 days", ["attached (PDF)", "Realtime"],
    ),
    "team_invitation": (
        {"invite_url": "https://app.example.com/invite?token=tok", "inviter": "ada@acme.example",
         "role": "Admin", "expires_at": "2026-12-03 10:00 UTC"},
        "ada@acme.example invited you to a team on Andru", ["https://app.example.com/invite?token=tok", "as Admin"],
    ),
    "email_verification": (
        {"verify_url": "https://app.example.com/verify-email?token=tok", "valid_hours": "48"},
        "Verify your e-mail address for Andru", ["https://app.example.com/verify-email?token=tok", "48 hours"],
    ),
    "account_exists": (
        {"login_url": "https://app.example.com/login"},
        "Someone tried to register your e-mail address on Andru", ["https://app.example.com/login"],
    ),
    "endpoint_disabled": (
        {"url": "https://hooks.example.com/in", "reason": "The endpoint answered 410 Gone.", "customer_name": "Acme"},
        "Webhook endpoint disabled: https://hooks.example.com/in", ["410 Gone", "http://localhost:3000/settings/webhooks"],
    ),
    "dead_letters_alert": (
        {"open_count": 12, "threshold": 10, "task_name": "exports.tasks.export_render", "error": "internal_error: boom",
         "admin_url": "https://api.example.com/admin/platform_core/deadletter/", "job_id": "j-1"},
        "12 dead letters open: exports.tasks.export_render failed for good",
        ["threshold 10", "internal_error: boom", "https://api.example.com/admin/platform_core/deadletter/"],
    ),
}  # fmt: skip


@pytest.fixture
def mailbox(settings):
    with smtp_server() as (box, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
        settings.DEFAULT_FROM_EMAIL = "Andru <no-reply@andru.example>"
        settings.FRONTEND_URL = "http://localhost:3000"
        yield box


def test_every_template_is_checked_below():
    assert set(CASES) == set(TEMPLATES)


@pytest.mark.parametrize("template", sorted(CASES))
def test_each_notification_arrives_with_recipients_subject_text_and_html(mailbox, template):
    context, subject, snippets = CASES[template]
    result = email_send_task.apply(kwargs={"template": template, "to": ["a@example.com", "b@example.com"],
                                           "context": context})  # fmt: skip
    assert result.successful(), result.traceback

    ((recipients, message),) = mailbox.messages
    assert recipients == ["a@example.com", "b@example.com"]
    assert message["To"] == "a@example.com, b@example.com"
    assert message["From"] == "Andru <no-reply@andru.example>"
    assert message["Subject"] == subject
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    for snippet in snippets:
        assert snippet in text
        assert snippet.replace("&", "&amp;") in html


def test_html_is_escaped_and_text_is_not(mailbox):
    context = {**CASES["endpoint_disabled"][0], "customer_name": "Smith & <Sons>"}
    email_send(template="endpoint_disabled", to=["owner@example.com"], context=context)
    ((_, message),) = mailbox.messages
    assert "Smith & <Sons>" in message.get_body(preferencelist=("plain",)).get_content()
    assert "Smith &amp; &lt;Sons&gt;" in message.get_body(preferencelist=("html",)).get_content()


def test_a_mail_server_that_is_down_is_a_retryable_failure(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", free_port(), False
    with pytest.raises(RetryableError) as exc:
        email_send(template="export_ready", to=["a@example.com"], context=CASES["export_ready"][0])
    assert exc.value.code == "smtp_unavailable"


@pytest.mark.django_db
def test_staff_e_mails_go_to_the_active_staff_of_the_moment_they_are_sent(mailbox):
    context = CASES["assessment_completed"][0]
    assert email_send(template="assessment_completed", to=STAFF, context=context) == 0  # no staff yet: none sent
    assert mailbox.messages == []

    UserFactory(is_staff=True, customer=None, email="ops@andru.example")
    UserFactory(is_staff=True, is_active=False, customer=None, email="left@andru.example")
    UserFactory(email="member@acme.example")
    assert email_send(template="assessment_completed", to=STAFF, context=context) == 1
    ((recipients, message),) = mailbox.messages
    assert recipients == ["ops@andru.example"]
    assert message["Subject"] == CASES["assessment_completed"][1]


def test_missing_context_fails_the_caller_not_the_queue():
    with pytest.raises(ValueError, match="download_url"):
        email_enqueue(template="export_ready", to=["a@example.com"], context={"title": "x", "format": "pdf"})
    with pytest.raises(ValueError, match="Unknown"):
        email_enqueue(template="newsletter", to=["a@example.com"], context={})
