"""Sending Celery tasks safely: after the commit, never as a long countdown, never lost to a broker outage."""

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.db import transaction
from django.utils import timezone

from platform_core.models import ScheduledTask
from platform_core.resilience import dependency_of

logger = logging.getLogger(__name__)

# Redis redelivers a message not acked within its visibility timeout, so a countdown longer
# than a few minutes could run twice: later work waits in PostgreSQL and beat sends it.
MAX_BROKER_COUNTDOWN = timedelta(minutes=5)
REPR_MAX = 1024  # characters of a task's arguments in its message headers (Celery's argsrepr_maxsize)


def send_options(args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """What task_enqueue adds to Celery's send_task. Only the id goes back to the caller: nobody waits on a
    result, so the sender need not subscribe to one (Celery does for every task sent by name unless told:
    SUBSCRIBE, then UNSUBSCRIBE). The arguments' repr is the builtin one: Celery's saferepr is the slow part
    of building a message. Together a send costs 0.64x the CPU and 1 Redis command instead of 3
    (bench/tasks_send.py)."""
    return {"ignore_result": True, "argsrepr": repr(args)[:REPR_MAX], "kwargsrepr": repr(kwargs)[:REPR_MAX]}


def task_enqueue(
    *,
    task_name: str,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    eta: datetime | None = None,
    task_id: str | None = None,
    headers: dict[str, Any] | None = None,
) -> str:
    """Send `task_name` once the current transaction commits (now, or at `eta`); returns its task id."""
    task_id = task_id or uuid.uuid4().hex
    args, kwargs, headers = args or [], kwargs or {}, headers or {}
    if eta is not None and eta - timezone.now() > MAX_BROKER_COUNTDOWN:
        ScheduledTask.objects.create(
            task_name=task_name, args=args, kwargs=kwargs, task_id=task_id, headers=headers, due_at=eta
        )
        return task_id
    countdown = max(0.0, (eta - timezone.now()).total_seconds()) if eta else None

    def send() -> None:
        try:
            current_app.send_task(
                task_name,
                args=args,
                kwargs=kwargs,
                task_id=task_id,
                countdown=countdown,
                headers=headers,
                **send_options(args, kwargs),
            )
        except Exception as exc:
            if dependency_of(exc) not in ("broker", "redis"):
                raise
            # The work is committed, so it was accepted: it waits in PostgreSQL (the outbox beat sweeps) until
            # the broker is back, instead of a row nothing will ever run.
            logger.warning("broker unavailable, %s %s kept for beat: %s", task_name, task_id, exc)
            ScheduledTask.objects.create(
                task_name=task_name,
                args=args,
                kwargs=kwargs,
                task_id=task_id,
                headers=headers,
                due_at=eta or timezone.now(),
            )

    transaction.on_commit(send)
    return task_id


def scheduled_tasks_dispatch(*, batch_size: int = 500) -> int:
    """Send every stored task that is due; rows are locked so two beats never send one twice."""
    sent = 0
    while True:
        with transaction.atomic():
            due = list(
                ScheduledTask.objects.select_for_update(skip_locked=True)
                .filter(due_at__lte=timezone.now() + MAX_BROKER_COUNTDOWN)
                .order_by("due_at")[:batch_size]
            )
            for row in due:
                task_enqueue(
                    task_name=row.task_name,
                    args=row.args,
                    kwargs=row.kwargs,
                    eta=row.due_at,
                    task_id=row.task_id,
                    headers=row.headers,
                )
            ScheduledTask.objects.filter(pk__in=[row.pk for row in due]).delete()
        sent += len(due)
        if len(due) < batch_size:
            return sent
