"""Airtable sync: a customer's connection to a base, which tables map to which platform entities,
what the platform changed since the last sync (the outbox), and the audit of every run."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from platform_core.models import Customer, User


class Direction(models.TextChoices):
    BOTH = "both", "Both ways"
    PULL = "pull", "Airtable to platform"
    PUSH = "push", "Platform to Airtable"


class AirtableConnection(models.Model):
    """One customer's base and personal access token (encrypted with Fernet; never shown)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        FAILING = "failing", "Failing"
        PAUSED = "paused", "Paused"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="airtable_connections")
    name = models.CharField(max_length=200, blank=True)
    base_id = models.CharField(max_length=32)
    token_encrypted = models.TextField(help_text="Fernet token of the personal access token.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    last_error_code = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["customer", "base_id"], name="airtable_conn_customer_base")]

    def __str__(self) -> str:
        return self.name or self.base_id


class AirtableTableMapping(models.Model):
    """An Airtable table synced with one platform entity, and how its fields convert.

    `fields`: [{"airtable": "Overall Score", "platform": "overall_score", "type": "integer",
    "rule": "platform" | "airtable" | "latest"}]; the rule decides conflicts on that field.
    """

    connection = models.ForeignKey(AirtableConnection, on_delete=models.CASCADE, related_name="tables")
    entity = models.CharField(max_length=40)
    table_name = models.CharField(max_length=200)
    key_field = models.CharField(max_length=200, help_text="Airtable field holding the record's stable key.")
    modified_field = models.CharField(
        max_length=200, default="Last Modified", help_text="A LAST_MODIFIED_TIME() field: what changed since."
    )
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.BOTH)
    enabled = models.BooleanField(default=True)
    fields = models.JSONField(default=list)
    cursor = models.DateTimeField(null=True, blank=True, help_text="Latest Airtable modified time pulled.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["entity"]
        constraints = [models.UniqueConstraint(fields=["connection", "entity"], name="airtable_table_once")]

    def __str__(self) -> str:
        return f"{self.table_name} <-> {self.entity}"


class AirtableRecordState(models.Model):
    """What both sides agreed on at the last sync, per record: the baseline of change detection."""

    mapping = models.ForeignKey(AirtableTableMapping, on_delete=models.CASCADE, related_name="states")
    key = models.CharField(max_length=200)
    airtable_record_id = models.CharField(max_length=32, blank=True)
    values = models.JSONField(default=dict)
    airtable_modified_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mapping", "key"], name="airtable_state_once")]

    def __str__(self) -> str:
        return self.key


class AirtableOutboundChange(models.Model):
    """A platform change waiting to be pushed (written in the transaction that made the change)."""

    connection = models.ForeignKey(AirtableConnection, on_delete=models.CASCADE, related_name="outbound_changes")
    entity = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    fields = models.JSONField(default=dict)
    changed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    run = models.ForeignKey("AirtableSyncRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["connection", "entity", "key"],
                condition=Q(sent_at__isnull=True),
                name="airtable_outbox_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.key}"


class AirtableSyncRun(models.Model):
    """One sync (all its tables): who started it, what it did, what it cost."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Mode(models.TextChoices):
        INCREMENTAL = "incremental", "Incremental"
        FULL = "full", "Full resync"

    class Trigger(models.TextChoices):
        API = "api", "API"
        ADMIN = "admin", "Admin"
        SCHEDULE = "schedule", "Outbox flush"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    connection = models.ForeignKey(AirtableConnection, on_delete=models.CASCADE, related_name="runs")
    started_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.API)
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.BOTH)
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.INCREMENTAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    job_ids = models.JSONField(default=list, blank=True)
    parts_total = models.PositiveSmallIntegerField(default=0)
    parts_done = models.PositiveSmallIntegerField(default=0)
    parts_failed = models.PositiveSmallIntegerField(default=0)
    records_read = models.PositiveIntegerField(default=0)
    records_created = models.PositiveIntegerField(default=0)
    records_updated = models.PositiveIntegerField(default=0)
    records_skipped = models.PositiveIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)
    rate_limited = models.PositiveIntegerField(default=0, help_text="429s received.")
    error_code = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["connection", "-started_at"], name="airtable_run_conn_started")]

    def __str__(self) -> str:
        return f"{self.direction}/{self.mode} {self.started_at:%Y-%m-%d %H:%M} ({self.status})"


class AirtableRecordChange(models.Model):
    """One record a run created, updated, skipped or failed, on either side."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    run = models.ForeignKey(AirtableSyncRun, on_delete=models.CASCADE, related_name="changes")
    direction = models.CharField(max_length=4, choices=[("pull", "Pull"), ("push", "Push")])
    entity = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    airtable_record_id = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True, help_text="Field: value written.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["run", "action"], name="airtable_change_run_action")]

    def __str__(self) -> str:
        return f"{self.direction} {self.action} {self.key}"


class AirtableConflict(models.Model):
    """A field changed on both sides since the last sync: both values, the winner and why."""

    class Winner(models.TextChoices):
        PLATFORM = "platform", "Platform"
        AIRTABLE = "airtable", "Airtable"

    run = models.ForeignKey(AirtableSyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    connection = models.ForeignKey(AirtableConnection, on_delete=models.CASCADE, related_name="conflicts")
    mapping = models.ForeignKey(AirtableTableMapping, on_delete=models.CASCADE, related_name="conflicts")
    entity = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    field = models.CharField(max_length=200, help_text="The platform field.")
    platform_value = models.JSONField(null=True, blank=True)
    airtable_value = models.JSONField(null=True, blank=True)
    platform_changed_at = models.DateTimeField(null=True, blank=True)
    airtable_changed_at = models.DateTimeField(null=True, blank=True)
    rule = models.CharField(max_length=10)
    winner = models.CharField(max_length=10, choices=Winner.choices)
    reason = models.CharField(max_length=300)
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="When staff re-resolved it.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["connection", "-created_at"], name="airtable_conflict_conn")]

    def __str__(self) -> str:
        return f"{self.entity} {self.key}.{self.field}: {self.winner}"


__all__ = [
    "AirtableConflict",
    "AirtableConnection",
    "AirtableOutboundChange",
    "AirtableRecordChange",
    "AirtableRecordState",
    "AirtableSyncRun",
    "AirtableTableMapping",
    "Direction",
]
