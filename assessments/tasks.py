"""Celery tasks of the assessments queue: thin, they call services."""

from typing import Any

from celery import shared_task

from platform_core.models import Job
from platform_core.taskbase import PlatformTask, job_task


@job_task(time_limit=60)
def assessment_calculate(job: Job) -> dict[str, Any]:
    """The assessment calculation job: percentile, challenges, recommendations, tool unlocks."""
    from assessments.services.sessions import assessment_calculate as calculate
    from platform_core.services.jobs import job_progress

    job_progress(job=job, progress=20, message="Comparing with completed assessments")
    return calculate(session_id=job.input["session_id"])


@shared_task(base=PlatformTask)
def assessment_sessions_expire() -> int:
    from assessments.services.sessions import assessment_sessions_expire as expire

    return expire()
