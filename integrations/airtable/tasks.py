from celery import shared_task

from platform_core.models import Job
from platform_core.taskbase import PlatformTask, job_task


@job_task(time_limit=1800)
def airtable_sync_table(job: Job) -> dict:
    """One table of a sync run: pull and/or push through the shared limiter."""
    from integrations.airtable.sync import airtable_sync_table_run

    return airtable_sync_table_run(job=job)


@shared_task(base=PlatformTask)
def airtable_outbox_flush() -> int:
    """Beat: push the platform's waiting changes."""
    from integrations.airtable.services import airtable_outbox_flush as flush

    return flush()
