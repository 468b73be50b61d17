from django.db import transaction
from django.utils import timezone

from platform_core.exceptions import ApplicationError
from platform_core.models import DeadLetter, Job
from platform_core.observability.failures import dead_letter_failure_report
from platform_core.services.tasks import task_enqueue


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


@transaction.atomic
def dead_letter_replay(*, letter: DeadLetter) -> DeadLetter:
    """Run it again: a job is reset and re-enqueued; a plain task is sent with its arguments."""
    from platform_core.services.jobs import job_requeue

    letter = DeadLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.status not in (DeadLetter.Status.OPEN, DeadLetter.Status.DISCARDED):
        raise ApplicationError("Only an open or discarded dead letter can be replayed.", code="not_replayable")
    if letter.job is not None:
        job_requeue(job=letter.job, message="Replayed from the dead letters", reset_attempts=True)
        letter.task_id = letter.job.task_id
    else:
        letter.task_id = task_enqueue(
            task_name=letter.task_name, args=letter.args, kwargs=letter.kwargs, headers={"dead_letter_id": letter.pk}
        )
    letter.status = DeadLetter.Status.REPLAYED
    letter.replay_count += 1
    letter.save(update_fields=["status", "replay_count", "task_id"])
    return letter


def dead_letter_discard(*, letter: DeadLetter) -> DeadLetter:
    letter.status = DeadLetter.Status.DISCARDED
    letter.save(update_fields=["status"])
    return letter


def dead_letters_resolve(*, job: Job | None = None, letter_id: int | None = None) -> int:
    """Mark replayed letters resolved once their task (or job) has succeeded."""
    letters = DeadLetter.objects.filter(status=DeadLetter.Status.REPLAYED)
    if job is not None:
        letters = letters.filter(job=job)
    elif letter_id is not None:
        letters = letters.filter(pk=letter_id)
    else:
        return 0
    return letters.update(status=DeadLetter.Status.RESOLVED, resolved_at=timezone.now())
