from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone

from assessments.models.search import search_vector_field
from platform_core.models import Customer, User


class BusinessCase(models.Model):
    """A generated business case (pilot, full implementation, or the simple one-pager)."""

    class Type(models.TextChoices):
        PILOT = "pilot", "Pilot"
        FULL_IMPLEMENTATION = "full_implementation", "Full implementation"
        SIMPLE = "simple", "One-page investment case"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SAVED = "saved", "Saved"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="business_cases")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    type = models.CharField(max_length=20, choices=Type.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, help_text="Plain text of the executive summary, for search.")
    inputs = models.JSONField(default=dict, blank=True)
    content = models.JSONField()
    budget = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    timeline_months = models.PositiveSmallIntegerField(null=True, blank=True)
    cost_calculation = models.ForeignKey(
        "assessments.CostCalculation", null=True, blank=True, on_delete=models.SET_NULL, related_name="business_cases"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = search_vector_field(("title", "A"), ("summary", "B"))

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["customer", "created_at"], name="bizcase_customer_created"),
            GinIndex(fields=["search_vector"], name="bizcase_search_gin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=["pilot", "full_implementation", "simple"]), name="bizcase_type_valid"
            ),
            models.CheckConstraint(condition=Q(status__in=["draft", "saved"]), name="bizcase_status_valid"),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0, budget__lte=10_000_000), name="bizcase_budget_range"
            ),
            models.CheckConstraint(
                condition=Q(timeline_months__isnull=True) | Q(timeline_months__gte=1, timeline_months__lte=60),
                name="bizcase_timeline_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title
