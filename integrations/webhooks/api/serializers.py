from rest_framework import serializers

from integrations.webhooks.models import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint
from integrations.webhooks.services.outbound import EVENT_TYPES
from platform_core.api.fields import Serializer


class WebhookEndpointInputSerializer(Serializer):
    url = serializers.URLField(max_length=500)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES), allow_empty=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class WebhookEndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = [
            "id", "url", "description", "event_types", "is_active", "disabled_reason", "disabled_at",
            "failing_since", "created_at", "updated_at",
        ]  # fmt: skip


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    """Owners and admins verify our signatures with this secret (shown to them only)."""

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookDeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDeliveryAttempt
        fields = ["number", "outcome", "status_code", "latency_ms", "response_excerpt", "error", "started_at"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempts = WebhookDeliveryAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "event_type", "message_id", "status", "attempt_count", "next_attempt_at", "created_at",
            "finished_at", "payload", "attempts",
        ]  # fmt: skip
