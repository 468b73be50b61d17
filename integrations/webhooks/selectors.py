"""Reads of webhook endpoints and deliveries, always scoped to the caller's customer."""

from django.db.models import Prefetch, QuerySet

from integrations.webhooks.models import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint
from platform_core.models import User
from platform_core.selectors.customers import customer_for_user


def webhook_endpoint_list(*, user: User) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(customer=customer_for_user(user=user))


def webhook_endpoint_get(*, user: User, endpoint_id: str) -> WebhookEndpoint:
    """Raises WebhookEndpoint.DoesNotExist for another customer's endpoint (the API answers 404)."""
    return webhook_endpoint_list(user=user).get(pk=endpoint_id)


def webhook_delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    attempts = WebhookDeliveryAttempt.objects.order_by("number")
    return endpoint.deliveries.order_by("-created_at").prefetch_related(Prefetch("attempts", queryset=attempts))
