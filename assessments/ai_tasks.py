"""AI job tasks, on the `ai` queue (CELERY_TASK_ROUTES routes assessments.ai_tasks.* there).

Thin: the job is loaded by id by @job_task; each calls its service. AIUnavailable (outage, shared
limits) is retryable, so the job is rescheduled with backoff; invalid output fails with its reason.
"""

from typing import Any

from platform_core.models import Job
from platform_core.taskbase import job_task


@job_task(time_limit=300)
def icp_generate(job: Job) -> dict[str, Any]:
    from assessments.services.ai_content import icp_generate

    return icp_generate(job=job)


@job_task(time_limit=300)
def personas_generate(job: Job) -> dict[str, Any]:
    from assessments.services.ai_content import personas_generate

    return personas_generate(job=job)


@job_task(time_limit=300)
def company_rate(job: Job) -> dict[str, Any]:
    from assessments.services.ai_content import company_rate

    return company_rate(job=job)


@job_task(time_limit=1800)
def company_rate_batch(job: Job) -> dict[str, Any]:
    from assessments.services.ai_content import company_rate_batch

    return company_rate_batch(job=job)


@job_task(time_limit=120)
def assessment_insight_generate(job: Job) -> dict[str, Any]:
    from assessments.services.ai_content import assessment_insight_generate

    return assessment_insight_generate(job=job)


@job_task(time_limit=600)
def resource_generate(job: Job) -> dict[str, Any]:
    from assessments.services.ai_content import resource_generate

    return resource_generate(job=job)
