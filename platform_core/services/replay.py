"""Replaying what failed for good, above both jobs and dead letters: a job's letter requeues the job,
a plain task's is sent again, and a task whose owner replays it its own way (an inbound webhook)
brings its letters along. Neither `jobs` nor `dead_letters` imports this module."""

from typing import Any

from django.db import transaction
from django.db.models import F

from platform_core.exceptions import ApplicationError
from platform_core.models import DeadLetter
from platform_core.services.dead_letters import dead_letters_resolve
from platform_core.services.jobs import job_requeue
from platform_core.services.tasks import task_enqueue

REPLAYABLE = (DeadLetter.Status.OPEN, DeadLetter.Status.DISCARDED)


@transaction.atomic
def dead_letter_replay(*, letter: DeadLetter) -> DeadLetter:
    """Run it again: a job is reset and re-enqueued; a plain task is sent with its arguments."""
    letter = DeadLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.status not in REPLAYABLE:
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


def dead_letters_follow_replay(*, task_name: str, args: list[Any]) -> int:
    """The task's owner replays it (a failed inbound webhook put back to received): its letters wait as
    replayed, resolved by `dead_letters_follow_success` or reopened if it fails for good again."""
    return DeadLetter.objects.filter(task_name=task_name, args=args, status__in=REPLAYABLE).update(
        status=DeadLetter.Status.REPLAYED, replay_count=F("replay_count") + 1
    )


def dead_letters_follow_success(*, task_name: str, args: list[Any]) -> int:
    """The replayed task succeeded: its letters are resolved."""
    return dead_letters_resolve(task_name=task_name, args=args)
