"""Work that failed for good is not silent: a Sentry event for each dead letter, and an e-mail to staff
when DEAD_LETTER_ALERT_THRESHOLD of them are open (at most once per DEAD_LETTER_ALERT_INTERVAL_SECONDS)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from platform_core.models import DeadLetter
from platform_core.notifications import STAFF, notify
from platform_core.observability.errors import failure_report
from platform_core.observability.logs import scrub_text
from platform_core.observability.metrics import DEAD_LETTERS_RECORDED

logger = logging.getLogger(__name__)
ALERT_KEY = "observability:dead-letters-alert"


def dead_letter_failure_report(*, letter: DeadLetter) -> None:
    """Called when a task or job lands in the dead letters (inside the caller's transaction)."""
    DEAD_LETTERS_RECORDED.inc()
    error = scrub_text(letter.error)[:500]
    extra = {"dead_letter_id": letter.pk, "failed_task": letter.task_name, "error": error}
    logger.error("failed for good: %s", letter.task_name, extra=extra)
    tags = {"task_name": letter.task_name, "dead_letter_id": str(letter.pk)}
    if letter.job_id:
        tags["job_id"] = str(letter.job_id)
    failure_report(message=f"{letter.task_name} failed for good: {error}", tags=tags)
    threshold = settings.DEAD_LETTER_ALERT_THRESHOLD
    if threshold <= 0:
        return
    open_count = DeadLetter.objects.filter(status=DeadLetter.Status.OPEN).count()
    if open_count < threshold or not cache.add(ALERT_KEY, 1, timeout=settings.DEAD_LETTER_ALERT_INTERVAL_SECONDS):
        return
    admin_url = settings.SITE_URL + reverse("admin:platform_core_deadletter_changelist") + "?status__exact=open"
    context = {
        "open_count": open_count,
        "threshold": threshold,
        "task_name": letter.task_name,
        "error": error,
        "admin_url": admin_url,
        "job_id": str(letter.job_id or ""),
    }
    notify(template="dead_letters_alert", to=STAFF, context=context)
