"""The weekly platform report: the staff usage document rendered to PDF and e-mailed to staff."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from exports.documents.usage_report import platform_report_build
from exports.renderers import FORMATS
from integrations.email.services import email_render
from platform_core.selectors.accounts import staff_emails


def platform_report_send(*, days: int = 7) -> int:
    """Render the report and send it to every staff address (0 when there is no staff)."""
    to = staff_emails()
    if not to:
        return 0
    document = platform_report_build(days=days)
    tmp = Path(str(settings.PLATFORM_TMP_DIR))
    tmp.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tmp) as workdir:
        path = Path(workdir) / "report.pdf"
        FORMATS["pdf"].render(document, path)
        subject, text, html = email_render(template="platform_report", context={"days": days})
        message = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=to)
        message.attach_alternative(html, "text/html")
        message.attach(f"platform-report-{timezone.now():%Y-%m-%d}.pdf", path.read_bytes(), "application/pdf")
        return message.send()
