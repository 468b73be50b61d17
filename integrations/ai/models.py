"""The AI usage ledger (one row per gateway call), its daily rollup, and per-customer budgets."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone

from platform_core.models import Customer, User


class AIUsage(models.Model):
    """One call through the gateway: served by a provider, the offline provider or the cache."""

    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    operation = models.CharField(max_length=64)
    provider = models.CharField(max_length=32)
    model = models.CharField(max_length=100)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal("0"))
    duration_ms = models.PositiveIntegerField(default=0)
    success = models.BooleanField(default=True)
    cached = models.BooleanField(default=False)
    error_code = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "AI usage"
        verbose_name_plural = "AI usage"
        indexes = [
            models.Index(fields=["created_at"], name="ai_usage_created"),
            models.Index(fields=["customer", "created_at"], name="ai_usage_customer_created"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.provider}:{self.model} ${self.cost_usd}"


class AIUsageDaily(models.Model):
    """Sums of the ledger per day, customer (null: no customer), provider and model."""

    date = models.DateField()
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=32)
    model = models.CharField(max_length=100)
    calls = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    cached_calls = models.PositiveIntegerField(default=0)
    input_tokens = models.PositiveBigIntegerField(default=0)
    output_tokens = models.PositiveBigIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=14, decimal_places=6, default=Decimal("0"))

    class Meta:
        ordering = ["-date", "provider", "model"]
        verbose_name = "AI usage per day"
        verbose_name_plural = "AI usage per day"
        constraints = [
            models.UniqueConstraint(
                fields=["date", "customer", "provider", "model"], name="ai_usage_daily_unique", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.provider}:{self.model} ${self.cost_usd}"


class AIBudget(models.Model):
    """An optional monthly AI budget for one customer (the platform budget is a setting)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="ai_budget")
    monthly_limit_usd = models.DecimalField(max_digits=10, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "AI budget"

    def __str__(self) -> str:
        return f"{self.customer} ${self.monthly_limit_usd}/month"
