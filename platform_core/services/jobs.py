"""A job's life: created and enqueued on commit, started by one message, progress, end."""

import uuid
from datetime import timedelta
from typing import Any

from celery import current_app
from django.db import transaction
from django.utils import timezone

from platform_core.events import job_event_publish
from platform_core.exceptions import ApplicationError, customer_suspended_error
from platform_core.models import Customer, Job, User
from platform_core.services.dead_letters import dead_letter_record, dead_letters_resolve
from platform_core.services.tasks import task_enqueue


class JobCancelled(Exception):
    """Raised inside a running task when its job was cancelled or taken over by another run."""


def _publish_on_commit(job: Job) -> None:
    transaction.on_commit(lambda: job_event_publish(job))


def _enqueue(job: Job, *, delay: float | None = None) -> None:
    job.task_id = uuid.uuid4().hex
    eta = timezone.now() + timedelta(seconds=delay) if delay else None
    task_enqueue(task_name=job.task_name, args=[str(job.id)], task_id=job.task_id, eta=eta)


# No savepoint of its own: nobody recovers from a failed job_create inside their transaction, and a
# SAVEPOINT/RELEASE pair is two round trips on every call (assessment submit, exports, AI jobs).
@transaction.atomic(savepoint=False)
def job_create(
    *,
    kind: str,
    task_name: str,
    customer: Customer | None,
    user: User | None,
    input: dict[str, Any] | None = None,
    max_attempts: int = 3,
    message: str = "Queued",
) -> Job:
    """Create a job and send its task once the caller's transaction commits."""
    job = Job(
        kind=kind, task_name=task_name, customer=customer, user=user, input=input or {},
        max_attempts=max_attempts, message=message,
    )  # fmt: skip
    _enqueue(job)
    job.save()
    _publish_on_commit(job)
    return job


# The common start in one statement, atomic on its own: this message's job, queued (or running again after a
# worker died) with attempts left, its customer not suspended. No BEGIN / SELECT ... FOR UPDATE / UPDATE / COMMIT.
_START = f"""
UPDATE {Job._meta.db_table}
SET status = %(running)s, attempts = attempts + 1, started_at = COALESCE(started_at, %(now)s),
    lease_expires_at = %(lease)s, updated_at = %(now)s,
    message = CASE WHEN attempts = 0 THEN 'Running'
                   ELSE 'Running (attempt ' || (attempts + 1) || ' of ' || max_attempts || ')' END
WHERE id = %(id)s AND task_id = %(task_id)s AND status = ANY(%(active)s) AND attempts < max_attempts
    AND NOT EXISTS (SELECT 1 FROM {Customer._meta.db_table} c WHERE c.id = customer_id AND c.status = %(suspended)s)
RETURNING *
"""  # noqa: S608 - table names from _meta, values are parameters


def job_start(*, job_id: str, task_id: str, lease_seconds: float) -> Job | None:
    """Claim the job for this message; None means this message must not run (stale, duplicate, done)."""
    now = timezone.now()
    params = {
        "running": Job.Status.RUNNING, "now": now, "lease": now + timedelta(seconds=lease_seconds),
        "id": job_id, "task_id": task_id, "active": list(Job.ACTIVE), "suspended": Customer.Status.SUSPENDED,
    }  # fmt: skip
    claimed = list(Job.objects.raw(_START, params))
    if claimed:
        _publish_on_commit(claimed[0])
        return claimed[0]
    return _job_start_otherwise(job_id=job_id, task_id=task_id, lease_seconds=lease_seconds)


@transaction.atomic
def _job_start_otherwise(*, job_id: str, task_id: str, lease_seconds: float) -> Job | None:
    """What the one statement did not claim: stale or finished, a suspended customer, the last attempt's
    worker lost; or a job that changed in between, which this locked read sees as it is now."""
    job = Job.objects.select_for_update(of=("self",)).select_related("customer").filter(pk=job_id).first()
    if job is None or job.task_id != task_id or not job.is_active:
        return None
    if job.customer is not None and job.customer.status == Customer.Status.SUSPENDED:
        error = customer_suspended_error()
        job_fail(job=job, code=error.code, message=error.message, traceback="")
        return None
    if job.status == Job.Status.RUNNING and job.attempts >= job.max_attempts:
        # The same message came back after its worker died on the last attempt: stop the loop.
        job_fail(job=job, code="worker_lost", message="The worker running this job stopped.", traceback="")
        return None
    now = timezone.now()
    job.status = Job.Status.RUNNING
    job.attempts += 1
    job.started_at = job.started_at or now
    job.lease_expires_at = now + timedelta(seconds=lease_seconds)
    job.message = "Running" if job.attempts == 1 else f"Running (attempt {job.attempts} of {job.max_attempts})"
    job.save(update_fields=["status", "attempts", "started_at", "lease_expires_at", "message", "updated_at"])
    _publish_on_commit(job)
    return job


def job_progress(*, job: Job, progress: int, message: str = "") -> None:
    """Report progress (0-100); raises JobCancelled when the job is no longer this run's to do."""
    progress = max(0, min(100, int(progress)))
    updated = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, task_id=job.task_id).update(
        progress=progress, message=message[:255], updated_at=timezone.now()
    )
    if not updated:
        raise JobCancelled(str(job.pk))
    job.progress, job.message = progress, message[:255]
    job_event_publish(job)


@transaction.atomic
def job_succeed(*, job: Job, result: dict[str, Any] | None, message: str = "Done") -> bool:
    """Finish the job; False when it was cancelled or taken over meanwhile (its result is dropped)."""
    now = timezone.now()
    done: dict[str, Any] = {
        "status": Job.Status.SUCCEEDED, "progress": 100, "result": result, "message": message,
        "finished_at": now, "lease_expires_at": None, "error": "", "error_code": "", "updated_at": now,
    }  # fmt: skip
    if not Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, task_id=job.task_id).update(**done):
        return False
    for name, value in done.items():  # what the row now holds, without reading it back
        setattr(job, name, value)
    dead_letters_resolve(job=job)
    _publish_on_commit(job)
    return True


@transaction.atomic
def job_fail(*, job: Job, code: str, message: str, traceback: str) -> Job:
    """Fail for good: the user sees code and message; staff see the dead letter with the traceback."""
    now = timezone.now()
    job.status = Job.Status.FAILED
    job.error_code, job.error, job.message = code, message, "Failed"
    job.finished_at, job.lease_expires_at = now, None
    job.save(
        update_fields=["status", "error_code", "error", "message", "finished_at", "lease_expires_at", "updated_at"]
    )
    dead_letter_record(
        task_name=job.task_name, task_id=job.task_id, args=[str(job.id)], kwargs={}, job=job,
        error=f"{code}: {message}", traceback=traceback, attempts=job.attempts,
    )  # fmt: skip
    _publish_on_commit(job)
    return job


@transaction.atomic
def job_attempt_failed(*, job: Job, code: str, message: str, traceback: str, retry_delay: float | None) -> str:
    """After a failed run: retry later when allowed and attempts remain, else fail for good."""
    current = Job.objects.select_for_update().get(pk=job.pk)
    if current.status != Job.Status.RUNNING or current.task_id != job.task_id:
        return "superseded"  # cancelled or taken over while it ran
    if retry_delay is not None and current.attempts < current.max_attempts:
        job_requeue(job=current, message=f"{message} Retrying in {retry_delay:.0f}s.", delay=retry_delay)
        return "retrying"
    job_fail(job=current, code=code, message=message, traceback=traceback)
    return "failed"


@transaction.atomic
def job_requeue(*, job: Job, message: str, delay: float | None = None, reset_attempts: bool = False) -> Job:
    """Send the job again (a retry, a replay, or after its worker died), under a new task id."""
    job.status = Job.Status.QUEUED
    job.message = message[:255]
    job.lease_expires_at = job.finished_at = None
    job.error = job.error_code = ""
    if reset_attempts:
        job.attempts, job.progress, job.result = 0, 0, None
    _enqueue(job, delay=delay)
    job.save()
    _publish_on_commit(job)
    return job


@transaction.atomic
def job_cancel(*, job: Job) -> Job:
    job = Job.objects.select_for_update().get(pk=job.pk)
    if not job.is_active:
        raise ApplicationError(
            f"The job has already {job.status}.", code="job_not_cancellable", status_code=409,
            details={"status": job.status},
        )  # fmt: skip
    task_id = job.task_id
    job.status, job.message = Job.Status.CANCELLED, "Cancelled"
    job.finished_at, job.lease_expires_at = timezone.now(), None
    job.save(update_fields=["status", "message", "finished_at", "lease_expires_at", "updated_at"])
    # Best effort: a message already running learns of it at its next progress report.
    transaction.on_commit(lambda: current_app.control.revoke(task_id))
    _publish_on_commit(job)
    return job


def jobs_reap_stuck(*, limit: int = 200) -> int:
    """Take back running jobs whose worker died (lease past the hard time limit): retry or fail."""
    reaped = 0
    with transaction.atomic():
        stuck = list(
            Job.objects.select_for_update(skip_locked=True).filter(
                status=Job.Status.RUNNING, lease_expires_at__lt=timezone.now()
            )[:limit]
        )
        for job in stuck:
            if job.attempts < job.max_attempts:
                job_requeue(job=job, message="The worker stopped; retrying")
            else:
                job_fail(job=job, code="worker_lost", message="The worker running this job stopped.", traceback="")
            reaped += 1
    return reaped


def jobs_delete_finished(*, older_than: timedelta) -> int:
    cutoff = timezone.now() - older_than
    finished = [Job.Status.SUCCEEDED, Job.Status.FAILED, Job.Status.CANCELLED]
    deleted, _ = Job.objects.filter(status__in=finished, finished_at__lt=cutoff).delete()
    return deleted
