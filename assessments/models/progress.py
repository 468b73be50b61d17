from django.db import models
from django.db.models import Q
from django.utils import timezone

from assessments.formulas import MILESTONE_IDS
from platform_core.models import Customer, User


class MilestoneCompletion(models.Model):
    """A milestone (assessments.formulas.MILESTONES) a customer has completed, once."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="milestone_completions")
    milestone = models.CharField(max_length=32, choices=[(m, m) for m in MILESTONE_IDS])
    trigger = models.CharField(max_length=100, help_text="The action that completed it.")
    completed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["completed_at"]
        indexes = [models.Index(fields=["customer", "created_at"], name="milestone_customer_created")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "milestone"], name="milestone_once_per_customer"),
            models.CheckConstraint(condition=Q(milestone__in=list(MILESTONE_IDS)), name="milestone_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} ({self.customer_id})"


class ProgressAction(models.Model):
    """One tracked platform action (by a service or POST /progress/track); feeds engagement recency."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="progress_actions")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=100)
    metadata = models.JSONField(default=dict, blank=True)
    milestones_triggered = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["customer", "created_at"], name="progress_customer_created")]
        constraints = [
            models.CheckConstraint(condition=Q(action__regex=r"^.{2,100}$"), name="progress_action_length"),
        ]

    def __str__(self) -> str:
        return self.action
