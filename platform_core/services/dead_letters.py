"""The dead-letter rows: recorded when a task fails for good, discarded, resolved. Below jobs (which
records and resolves through here); replaying, which needs jobs too, is `platform_core.services.replay`."""

from typing import Any

from django.utils import timezone

from platform_core.models import DeadLetter, Job
from platform_core.observability.failures import dead_letter_failure_report


def dead_letter_record(
    *,
    task_name: str,
    task_id: str,
    args: list,
    kwargs: dict,
    error: str,
    traceback: str,
    attempts: int,
    job: Job | None = None,
) -> DeadLetter:
    """Keep a task that failed for good; a replayed one that fails again updates its letter."""
    now = timezone.now()
    letter = DeadLetter.objects.filter(
        task_name=task_name, status=DeadLetter.Status.REPLAYED, **({"job": job} if job else {"task_id": task_id})
    ).first()
    if letter is None:
        letter = DeadLetter.objects.create(
            task_name=task_name, task_id=task_id, args=args, kwargs=kwargs, job=job,
            error=error, traceback=traceback, attempts=attempts, first_failed_at=now, last_failed_at=now,
        )  # fmt: skip
    else:
        letter.status = DeadLetter.Status.OPEN
        letter.task_id, letter.error, letter.traceback, letter.last_failed_at = task_id, error, traceback, now
        letter.attempts += attempts
        letter.save()
    dead_letter_failure_report(letter=letter)  # Sentry event; staff e-mail above the threshold
    return letter


def dead_letter_discard(*, letter: DeadLetter) -> DeadLetter:
    letter.status = DeadLetter.Status.DISCARDED
    letter.save(update_fields=["status"])
    return letter


def dead_letters_resolve(
    *, job: Job | None = None, letter_id: int | None = None, task_name: str = "", args: list[Any] | None = None
) -> int:
    """Mark replayed letters resolved once their job, their letter's task, or the task with these
    arguments (replayed by its owner: `replay.dead_letters_follow_replay`) has succeeded."""
    letters = DeadLetter.objects.filter(status=DeadLetter.Status.REPLAYED)
    if job is not None:
        letters = letters.filter(job=job)
    elif letter_id is not None:
        letters = letters.filter(pk=letter_id)
    elif task_name and args is not None:
        letters = letters.filter(task_name=task_name, args=args)
    else:
        return 0
    return letters.update(status=DeadLetter.Status.RESOLVED, resolved_at=timezone.now())
