"""Research job tasks (queue `research`): thin, the job is loaded by id by @job_task.

Worker signals: orphaned browsers of dead workers are reaped when a worker starts; each pool process
closes its browser when it exits (and launches it at start when BROWSER_PREWARM is on).
"""

from typing import Any

from celery.signals import worker_process_init, worker_process_shutdown, worker_ready
from django.conf import settings

from platform_core.models import Job
from platform_core.taskbase import job_task


@job_task(time_limit=180)
def screenshot_capture(job: Job) -> dict[str, Any]:
    from integrations.research.services import screenshot_capture

    return screenshot_capture(job=job)


@job_task(time_limit=300)
def company_research(job: Job) -> dict[str, Any]:
    from integrations.research.services import company_research

    return company_research(job=job)


@worker_ready.connect
def _reap_orphaned_browsers(**kwargs: Any) -> None:
    from integrations.research.pool import browsers_reap_orphans

    browsers_reap_orphans()


@worker_process_init.connect
def _prewarm_browser(**kwargs: Any) -> None:
    if settings.BROWSER_PREWARM:
        from integrations.research.pool import browser_pool

        browser_pool().prewarm()


@worker_process_shutdown.connect
def _close_browser(**kwargs: Any) -> None:
    from integrations.research.pool import browser_pool_close

    browser_pool_close()
