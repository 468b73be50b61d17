"""Webhooks in (stored before they are acknowledged) and out (deliveries with logged attempts)."""

from __future__ import annotations

import base64
import secrets
import uuid

from django.db import models
from django.utils import timezone

from platform_core.models import Customer


class InboundWebhook(models.Model):
    """A verified request from a sender, kept before it is answered; processed once by a task."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed (dead letter)"

    source = models.CharField(max_length=40)
    webhook_id = models.CharField(max_length=255, help_text="The sender's webhook-id: the idempotency key.")
    event_type = models.CharField(max_length=100)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="inbound_webhooks"
    )
    headers = models.JSONField(default=dict)
    body = models.TextField(help_text="The raw body, exactly as signed.")
    payload = models.JSONField(default=dict, help_text="The validated payload handed to the handler.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    # When a drain may take it: now on arrival, later for a retry, a lease while it is processed
    # (a worker that dies leaves it due again when the lease ends).
    next_attempt_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["source", "webhook_id"], name="inbound_source_webhook_id")]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="received"), name="inbound_due"),
            models.Index(fields=["status", "received_at"], name="inbound_status_received"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.event_type} {self.webhook_id}"


def new_endpoint_secret() -> str:
    """A Standard Webhooks secret: whsec_ + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    """A customer's URL that receives the platform's events, signed with its own secret."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=100, default=new_endpoint_secret)
    event_types = models.JSONField(default=list, help_text="Event types sent to this endpoint.")
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # Set by the first failed attempt after a success; 5 days of failures disable the endpoint.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["customer", "is_active"], name="endpoint_customer_active")]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent to one URL: attempted on a schedule until it succeeds or gives up."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled (endpoint disabled)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="webhook_deliveries")
    # Null for a Make.com scenario trigger (its URL comes from settings).
    endpoint = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    url = models.URLField(max_length=500)
    event_type = models.CharField(max_length=100)
    payload = models.JSONField()
    # Sent as webhook-id on every attempt, so receivers can dedupe retries.
    message_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The one Celery message allowed to make the next attempt; others (redelivered) are dropped.
    task_id = models.CharField(max_length=64, blank=True)
    # An attempt in flight past this time lost its worker (kill -9): the recovery sweep resends.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="delivery_customer_created"),
            models.Index(fields=["status", "lease_expires_at"], name="delivery_status_lease"),
            models.Index(fields=["endpoint", "status"], name="delivery_endpoint_status"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.url} ({self.status})"


class WebhookDeliveryAttempt(models.Model):
    """One POST of a delivery: what the receiver answered and how long it took."""

    class Outcome(models.TextChoices):
        IN_FLIGHT = "in_flight", "In flight"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        WORKER_LOST = "worker_lost", "Worker lost"

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.IN_FLIGHT)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="attempt_delivery_number")]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.outcome} {self.status_code or ''}"
