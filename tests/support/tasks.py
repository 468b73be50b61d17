"""Tasks that exist only in test workers (loaded through CELERY_EXTRA_IMPORTS).

They exercise the job machinery with effects a test can count: a Customer row per effect.
"""

import time

from celery import shared_task

from platform_core.exceptions import ApplicationError
from platform_core.models import Customer, Job
from platform_core.services.jobs import job_progress
from platform_core.taskbase import PlatformTask, RetryableError, job_task


def record_effect(slug: str) -> None:
    """The job's effect, idempotent on its key: however often a run repeats, one row."""
    Customer.objects.get_or_create(slug=slug, defaults={"name": slug})


@job_task(time_limit=30, retry_base=0.2, retry_cap=1.0)
def stepped_job(job: Job) -> dict:
    """Counts `steps` steps of `stepSeconds`, reporting progress, then records its effect once."""
    steps = int(job.input.get("steps", 4))
    for step in range(1, steps + 1):
        time.sleep(float(job.input.get("stepSeconds", 0.05)))
        job_progress(job=job, progress=step * 100 // steps, message=f"Step {step} of {steps}")
    record_effect(f"effect-{job.id}")
    return {"steps": steps, "effect": f"effect-{job.id}"}


@job_task(time_limit=30, retry_base=0.2, retry_cap=1.0)
def needs_customer_job(job: Job) -> dict:
    """Fails with a transient error until a customer with the slug in input exists (the 'cause')."""
    slug = job.input["requiresSlug"]
    if not Customer.objects.filter(slug=slug).exists():
        raise RetryableError(f"Customer {slug} is not there yet.", code="dependency_missing")
    return {"found": slug}


@job_task(time_limit=30)
def invalid_input_job(job: Job) -> dict:
    raise ApplicationError("The input names no company.", code="invalid_input")


@shared_task(base=PlatformTask, max_retries=1, retry_backoff=1, retry_backoff_max=1)
def plain_needs_customer(slug: str) -> str:
    if not Customer.objects.filter(slug=slug).exists():
        raise RetryableError(f"Customer {slug} is not there yet.")
    record_effect(f"plain-{slug}")
    return slug


@shared_task(base=PlatformTask)
def database_backend_pid() -> int:
    """The PostgreSQL backend serving this task: the same one again when connections are reused."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])
