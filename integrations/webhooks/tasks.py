"""Queue `webhooks`: process inbound webhooks, attempt deliveries, and the sweeps beat runs."""

from typing import Any

from celery import shared_task
from django.conf import settings

from platform_core.taskbase import PlatformTask


@shared_task(base=PlatformTask, time_limit=120, soft_time_limit=105)
def inbound_webhooks_drain() -> int:
    """Every due stored webhook, in batches (requested by arrivals, and by beat every minute)."""
    from integrations.webhooks.services.inbound import inbound_webhooks_drain

    return inbound_webhooks_drain()


class InboundProcessTask(PlatformTask):
    """The webhook's dead letter is the service's, resolved when the webhook is processed (this task
    also succeeds when it schedules a retry), so a replayed message does not resolve it."""

    def on_success(self, retval: Any, task_id: str, args: Any, kwargs: Any) -> None:
        pass


@shared_task(base=InboundProcessTask, time_limit=60, soft_time_limit=50)
def inbound_webhook_process(inbound_id: int) -> str:
    """One webhook: its retry at its due time, or a replay from the dead letters."""
    from integrations.webhooks.services.inbound import inbound_webhook_process

    return inbound_webhook_process(inbound_id=inbound_id)


# An unanswered POST is not a task failure: the delivery's own schedule (due times in PostgreSQL) retries it.
@shared_task(
    base=PlatformTask,
    time_limit=settings.WEBHOOK_DELIVERY_TIMEOUT + 30,
    soft_time_limit=settings.WEBHOOK_DELIVERY_TIMEOUT + 20,
)
def webhook_delivery_attempt(delivery_id: str, task_id: str) -> str:
    from integrations.webhooks.services.outbound import webhook_delivery_attempt

    return webhook_delivery_attempt(delivery_id=delivery_id, task_id=task_id)


@shared_task(base=PlatformTask)
def webhook_deliveries_recover() -> int:
    from integrations.webhooks.services.outbound import webhook_deliveries_recover

    return webhook_deliveries_recover()
