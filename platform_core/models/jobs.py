"""Background work: jobs a user waits for, tasks due later, and what failed for good."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from platform_core.models.accounts import Customer, User


class Job(models.Model):
    """One unit of slow work a user waits for (an export, an AI generation ...), run by a Celery task."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Null for public work (an anonymous assessment's calculation).
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    kind = models.CharField(max_length=64, db_index=True)
    task_name = models.CharField(max_length=200, help_text="The Celery task that runs this job.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=255, blank=True)
    input = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    # The id of the one Celery message allowed to run this job now: a redelivered or
    # superseded message carries another id and is dropped (the effect happens once).
    task_id = models.CharField(max_length=64, blank=True)
    # A running job whose lease ran out lost its worker (kill -9): the reaper takes it back.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="job_customer_created"),
            models.Index(fields=["status", "lease_expires_at"], name="job_status_lease"),
            models.Index(fields=["status", "finished_at"], name="job_status_finished"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="job_progress_0_100"),
            models.CheckConstraint(condition=models.Q(attempts__lte=models.F("max_attempts")), name="job_attempts_max"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class ScheduledTask(models.Model):
    """A task due later than the broker may safely hold it (Redis redelivers old messages): beat sends it."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64)
    headers = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["due_at"], name="scheduledtask_due")]

    def __str__(self) -> str:
        return f"{self.task_name} at {self.due_at:%Y-%m-%d %H:%M:%S}"


class DeadLetter(models.Model):
    """A task that failed for good: kept with its error for staff to replay or discard."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REPLAYED = "replayed", "Replayed (waiting)"
        RESOLVED = "resolved", "Resolved"
        DISCARDED = "discarded", "Discarded"

    task_name = models.CharField(max_length=200, db_index=True)
    task_id = models.CharField(max_length=64, blank=True)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="dead_letters")
    error = models.TextField()
    traceback = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    first_failed_at = models.DateTimeField(default=timezone.now)
    last_failed_at = models.DateTimeField(default=timezone.now)
    replay_count = models.PositiveSmallIntegerField(default=0)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_failed_at"]
        indexes = [models.Index(fields=["status", "-last_failed_at"], name="deadletter_status_failed")]

    def __str__(self) -> str:
        return f"{self.task_name} ({self.status})"
