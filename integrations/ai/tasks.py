"""AI gateway housekeeping on the beat schedule."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from platform_core.taskbase import PlatformTask


@shared_task(base=PlatformTask)
def ai_usage_rollup() -> int:
    """Today's sums so far, and yesterday's final ones (rows logged just before midnight)."""
    from integrations.ai.services import ai_usage_rollup

    today = timezone.now().date()
    return ai_usage_rollup(day=today - timedelta(days=1)) + ai_usage_rollup(day=today)
