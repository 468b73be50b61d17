"""A test-only inbound source "qa", registered in the test process and (through
WEBHOOK_HANDLER_MODULES) in the real worker. Its effects are Customer rows a test can count."""

import uuid

from rest_framework import serializers

from integrations.webhooks.registry import InboundEvent, InboundSource, webhook_source_register
from platform_core.models import Customer


class QaDataSerializer(serializers.Serializer):
    key = serializers.SlugField(max_length=40)


class QaEventSerializer(serializers.Serializer):
    type = serializers.CharField()
    data = QaDataSerializer()  # type: ignore[assignment]


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
        serializers={"effect.record": QaEventSerializer, "effect.blocked": QaEventSerializer},
        handlers={"effect.record": record_run, "effect.blocked": record_run_when_unblocked},
    )
)
