"""Housekeeping on the beat schedule (config/settings.py CELERY_BEAT_SCHEDULE)."""

import time
from datetime import timedelta
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from platform_core.taskbase import PlatformTask


@shared_task(base=PlatformTask)
def scheduled_tasks_dispatch() -> int:
    from platform_core.services.tasks import scheduled_tasks_dispatch

    return scheduled_tasks_dispatch()


@shared_task(base=PlatformTask)
def jobs_reap_stuck() -> int:
    from platform_core.services.jobs import jobs_reap_stuck

    return jobs_reap_stuck()


@shared_task(base=PlatformTask)
def jobs_cleanup_finished() -> int:
    from platform_core.services.jobs import jobs_delete_finished

    return jobs_delete_finished(older_than=timedelta(days=settings.JOB_RETENTION_DAYS))


@shared_task(base=PlatformTask)
def tokens_flush_expired() -> int:
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    deleted, _ = OutstandingToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


@shared_task(base=PlatformTask)
def temp_files_cleanup() -> int:
    """Remove leftovers (e.g. of failed renders) older than TEMP_FILE_MAX_AGE_HOURS."""
    root = Path(settings.PLATFORM_TMP_DIR)
    cutoff = time.time() - settings.TEMP_FILE_MAX_AGE_HOURS * 3600
    removed = 0
    for path in root.glob("**/*") if root.exists() else []:
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


@shared_task(ignore_result=True, expires=30)
def staff_health_publish() -> None:
    """Live numbers for the staff health page; a missed push is replaced by the next one (no retry)."""
    from platform_core.observability.health_page import staff_health_publish

    staff_health_publish()
