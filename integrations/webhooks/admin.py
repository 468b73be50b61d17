from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from integrations.webhooks.models import (
    InboundWebhook,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
)
from integrations.webhooks.services import inbound, outbound
from platform_core.exceptions import ApplicationError


def _each(request: HttpRequest, queryset: QuerySet, action: object, done: str) -> None:
    """Run a service per selected row; a refused row is reported, the others still run."""
    count = 0
    for obj in queryset:
        try:
            action(obj)  # type: ignore[operator]
            count += 1
        except ApplicationError as exc:
            messages.warning(request, f"{obj}: {exc.message}")
    if count:
        messages.success(request, f"{count} {done}.")


@admin.register(InboundWebhook)
class InboundWebhookAdmin(admin.ModelAdmin):
    list_display = ["webhook_id", "source", "event_type", "customer", "status", "attempts", "received_at"]
    list_filter = ["status", "source", "event_type"]
    search_fields = ["webhook_id", "customer__name"]
    list_select_related = ["customer"]
    readonly_fields = [f.name for f in InboundWebhook._meta.fields]
    actions = ["replay"]

    @admin.action(description="Replay (process again)")
    def replay(self, request: HttpRequest, queryset: QuerySet[InboundWebhook]) -> None:
        _each(request, queryset, lambda obj: inbound.inbound_webhook_replay(inbound=obj), "webhooks sent to processing")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "customer", "is_active", "disabled_reason", "failing_since", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    exclude = ["secret"]
    actions = ["disable"]

    @admin.action(description="Disable (cancel pending deliveries)")
    def disable(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        reason = f"Disabled by staff ({request.user})."
        _each(request, queryset, lambda obj: outbound.webhook_endpoint_disable(endpoint=obj, reason=reason), "disabled")


class AttemptInline(admin.TabularInline):
    model = WebhookDeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "outcome", "status_code", "latency_ms", "response_excerpt", "error", "started_at"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["message_id", "event_type", "url", "customer", "status", "attempt_count", "next_attempt_at"]
    list_filter = ["status", "event_type"]
    search_fields = ["message_id", "url", "customer__name"]
    list_select_related = ["customer"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    inlines = [AttemptInline]
    actions = ["replay"]

    @admin.action(description="Replay (one more attempt, same webhook-id)")
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        _each(request, queryset, lambda obj: outbound.webhook_delivery_replay(delivery=obj), "deliveries resent")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
