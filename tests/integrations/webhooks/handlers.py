"""A test-only inbound source "qa", registered in the test process and (through
WEBHOOK_HANDLER_MODULES) in the real worker. Its effects are Customer rows a test can count."""

import uuid
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from integrations.webhooks.registry import InboundEvent, InboundSource, webhook_source_register
from platform_core.models import Customer


class QaData(BaseModel):
    key: Annotated[str, StringConstraints(pattern=r"^[-a-zA-Z0-9_]+$", max_length=40)]


class QaEvent(BaseModel):
    type: str
    data: QaData


def record_run(event: InboundEvent) -> None:
    """Not idempotent on purpose: a second processing of one webhook would leave a second row."""
    Customer.objects.create(slug=f"run-{uuid.uuid4().hex[:12]}", name=f"run {event.data['data']['key']}")


def record_run_when_unblocked(event: InboundEvent) -> None:
    key = event.data["data"]["key"]
    if not Customer.objects.filter(slug=f"unblock-{key}").exists():
        raise RuntimeError(f"{key} is blocked")
    record_run(event)


webhook_source_register(
    InboundSource(
        name="qa",
        event_type_field="type",
        payloads={"effect.record": QaEvent, "effect.blocked": QaEvent},
        handlers={"effect.record": record_run, "effect.blocked": record_run_when_unblocked},
    )
)
