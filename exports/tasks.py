from celery import shared_task

from platform_core.models import Job
from platform_core.taskbase import PlatformTask, job_task


@job_task(time_limit=120)
def export_render(job: Job) -> dict:
    """Render one export (queue: exports)."""
    from exports.services import export_render

    return export_render(job=job)


@shared_task(base=PlatformTask)
def exports_purge() -> int:
    """Beat: remove expired export files and leftovers of failed renders."""
    from exports.services import exports_purge

    return exports_purge()


@shared_task(base=PlatformTask)
def platform_report_send() -> int:
    """Beat, weekly: the platform usage report (PDF) e-mailed to staff."""
    from exports.reports import platform_report_send

    return platform_report_send()
