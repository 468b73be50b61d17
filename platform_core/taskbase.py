"""How every Celery task of the platform runs: acks late, retries transient errors with backoff
and jitter, and leaves a dead letter when it fails for good.

Plain tasks:      @shared_task(base=PlatformTask)
Job-bound tasks:  @job_task()  def export_render(job: Job) -> dict: ...   (task argument: job id)
"""

from __future__ import annotations

import random
import traceback
from collections.abc import Callable
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from platform_core.exceptions import ApplicationError
from platform_core.models import Job
from platform_core.resilience import dependency_of


class RetryableError(ApplicationError):
    """A transient failure (a provider's 429 or 5xx, a timeout): retried with backoff."""

    def __init__(self, message: str, *, code: str = "temporarily_unavailable", **kwargs: Any) -> None:
        super().__init__(message, code=code, status_code=503, **kwargs)


TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    RetryableError,
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    SoftTimeLimitExceeded,
)
LEASE_GRACE_SECONDS = 30
# A job message that found PostgreSQL unreachable comes back after 1-2, 2-4 ... at most 30 s, for about an hour.
DATABASE_RETRY_BASE, DATABASE_RETRY_CAP, DATABASE_RETRY_MAX = 2.0, 30.0, 120


def backoff_delay(attempt: int, *, base: float, cap: float) -> float:
    """Exponential backoff with jitter: attempt 1 waits base/2..base, each next one twice as long."""
    delay = min(cap, base * 2 ** (attempt - 1))
    return random.uniform(delay / 2, delay)  # noqa: S311 - jitter, not cryptography


def public_error(exc: BaseException) -> tuple[str, str]:
    """What the user is told; details of unexpected errors stay in the dead letter."""
    if isinstance(exc, ApplicationError):
        return exc.code, exc.message
    if isinstance(exc, SoftTimeLimitExceeded):
        return "timeout", "The job took too long and was stopped."
    return "internal_error", "The job failed unexpectedly; staff have been notified."


class PlatformTask(Task):
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 2
    retry_backoff_max = 300  # longer waits belong in PostgreSQL (services.tasks.task_enqueue)
    retry_jitter = True
    max_retries = 4

    def _dead_letter_id(self) -> Any:
        return self.request.get("dead_letter_id") or (self.request.headers or {}).get("dead_letter_id")

    def on_success(self, retval: Any, task_id: str, args: Any, kwargs: Any) -> None:
        from platform_core.services.dead_letters import dead_letters_resolve

        if letter_id := self._dead_letter_id():
            dead_letters_resolve(letter_id=int(letter_id))

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        from platform_core.services.dead_letters import dead_letter_record

        dead_letter_record(
            task_name=self.name, task_id=task_id, args=list(args), kwargs=dict(kwargs),
            error=f"{type(exc).__name__}: {exc}", traceback=str(einfo), attempts=self.request.retries + 1,
        )  # fmt: skip


class JobTask(Task):
    """Retries are the job's own (new message, new task id), so Celery's retry is off."""

    acks_late = True
    reject_on_worker_lost = True
    max_retries = 0


def job_task(
    *,
    time_limit: int = 300,
    retry_for: tuple[type[BaseException], ...] = TRANSIENT_ERRORS,
    retry_base: float = 5.0,
    retry_cap: float = 6 * 3600.0,
    name: str | None = None,
) -> Callable[[Callable[[Job], dict[str, Any] | None]], Task]:
    """Make `fn(job) -> result` a Celery task taking a job id, bound to the job's lifecycle."""

    def decorator(fn: Callable[[Job], dict[str, Any] | None]) -> Task:
        @shared_task(
            bind=True, base=JobTask, name=name or f"{fn.__module__}.{fn.__name__}",
            time_limit=time_limit, soft_time_limit=max(1, time_limit - 15),
        )  # fmt: skip
        def task(self: Task, job_id: str) -> str:
            try:
                return run(self, job_id)
            except Exception as exc:
                if dependency_of(exc) != "database":
                    raise
                # The job's state could not be read or written: acked, this message would leave it queued
                # (or running) for good. The same message comes back when PostgreSQL may be up again.
                delay = backoff_delay(self.request.retries + 1, base=DATABASE_RETRY_BASE, cap=DATABASE_RETRY_CAP)
                raise self.retry(exc=exc, countdown=delay, max_retries=DATABASE_RETRY_MAX) from exc

        def run(self: Task, job_id: str) -> str:
            from platform_core.services import jobs as job_services

            job = job_services.job_start(
                job_id=job_id, task_id=self.request.id or "", lease_seconds=time_limit + LEASE_GRACE_SECONDS
            )
            if job is None:
                return "skipped"
            try:
                result = fn(job)
            except job_services.JobCancelled:
                return "cancelled"
            except Exception as exc:
                code, message = public_error(exc)
                retry_delay = backoff_delay(job.attempts, base=retry_base, cap=retry_cap)
                return job_services.job_attempt_failed(
                    job=job, code=code, message=message, traceback=traceback.format_exc(),
                    retry_delay=retry_delay if isinstance(exc, retry_for) else None,
                )  # fmt: skip
            job_services.job_succeed(job=job, result=result)
            return "succeeded"

        task.__doc__ = fn.__doc__
        return task

    return decorator
