"""Make.com scenario executions: a run we started with an outbound delivery, completed by its callback."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from integrations.webhooks.models import InboundWebhook, WebhookDelivery
from platform_core.models import Customer


class MakeExecution(models.Model):
    """A Make.com scenario run we started: sent → acknowledged (2xx) → completed by its callback."""

    class Scenario(models.TextChoices):
        ICP_ANALYSIS = "icp_analysis", "ICP analysis"
        COST_CALCULATION = "cost_calculation", "Cost calculation"
        BUSINESS_CASE = "business_case_generation", "Business case"

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        TIMED_OUT = "timed_out", "Timed out"

    OPEN = (Status.SENT, Status.ACKNOWLEDGED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="make_executions")
    scenario = models.CharField(max_length=30, choices=Scenario.choices)
    delivery = models.OneToOneField(WebhookDelivery, on_delete=models.PROTECT, related_name="make_execution")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SENT)
    response = models.JSONField(null=True, blank=True, help_text="What Make answered to the trigger.")
    callback = models.ForeignKey(InboundWebhook, null=True, blank=True, on_delete=models.SET_NULL)
    sent_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(help_text="Timed out when no callback came by then.")

    class Meta:
        db_table = "webhooks_makeexecution"  # moved from integrations.webhooks; the table kept its name
        ordering = ["-sent_at"]
        indexes = [
            models.Index(fields=["customer", "scenario", "status"], name="make_customer_scenario"),
            models.Index(fields=["status", "deadline_at"], name="make_status_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} {self.id} ({self.status})"
