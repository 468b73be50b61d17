from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone

from assessments.formulas import COST_INPUT_RANGES, SCENARIO_MULTIPLIERS
from assessments.models.search import search_vector_field
from platform_core.models import Customer, User


class CostCalculation(models.Model):
    """A saved cost-of-inaction calculation: the inputs, and the result the server computed from them."""

    class Scenario(models.TextChoices):
        CONSERVATIVE = "conservative", "Conservative"
        REALISTIC = "realistic", "Realistic"
        AGGRESSIVE = "aggressive", "Aggressive"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="cost_calculations")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    notes = models.TextField(max_length=2000, blank=True)
    scenario = models.CharField(max_length=12, choices=Scenario.choices, default=Scenario.REALISTIC)
    potential_deals = models.DecimalField(max_digits=12, decimal_places=2)
    average_deal_size = models.DecimalField(max_digits=15, decimal_places=2)
    conversion_rate = models.DecimalField(max_digits=7, decimal_places=6)
    delay_months = models.DecimalField(max_digits=5, decimal_places=2)
    current_operating_cost = models.DecimalField(max_digits=15, decimal_places=2)
    inefficiency_rate = models.DecimalField(max_digits=7, decimal_places=6)
    employee_count = models.PositiveIntegerField()
    average_salary = models.DecimalField(max_digits=12, decimal_places=2)
    market_share = models.DecimalField(max_digits=7, decimal_places=6)
    total_cost = models.DecimalField(max_digits=18, decimal_places=2)
    result = models.JSONField(help_text="Summary, categories and ROI scenarios (assessments.formulas).")
    created_at = models.DateTimeField(default=timezone.now)
    search_vector = search_vector_field(("name", "A"), ("notes", "B"), ("scenario", "C"))

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["customer", "created_at"], name="cost_customer_created"),
            GinIndex(fields=["search_vector"], name="cost_search_gin"),
        ]
        constraints = [
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": low, f"{field}__lte": high}), name=f"cost_{field}_range"
                )
                for field, (low, high) in COST_INPUT_RANGES.items()
            ],
            models.CheckConstraint(condition=Q(scenario__in=list(SCENARIO_MULTIPLIERS)), name="cost_scenario_valid"),
            models.CheckConstraint(condition=Q(total_cost__gte=0), name="cost_total_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name or f"Cost calculation {self.pk}"

    @property
    def inputs(self) -> dict:
        return {field: getattr(self, field) for field in COST_INPUT_RANGES}
