"""Reads of the AI usage ledger for staff reports (the admin): platform-wide by design."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from integrations.ai.models import AIUsage


def _totals(since: datetime) -> dict[str, Any]:
    totals = AIUsage.objects.filter(created_at__gte=since).aggregate(
        calls=Count("id"),
        cached=Count("id", filter=Q(cached=True)),
        failures=Count("id", filter=Q(success=False)),
        input_tokens=Sum("input_tokens"),
        output_tokens=Sum("output_tokens"),
        cost_usd=Sum("cost_usd"),
    )
    return {k: v or (Decimal(0) if k == "cost_usd" else 0) for k, v in totals.items()}


def ai_usage_summary(*, top: int = 10) -> dict[str, Any]:
    """Today, this month, the month per customer and the month's top users by cost."""
    now = timezone.now()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month = today.replace(day=1)
    month_rows = AIUsage.objects.filter(created_at__gte=month)
    per_customer = (
        month_rows.values("customer__name")
        .annotate(calls=Count("id"), cost_usd=Sum("cost_usd"), tokens=Sum("input_tokens") + Sum("output_tokens"))
        .order_by("-cost_usd")[:top]
    )
    top_users = (
        month_rows.exclude(user=None)
        .values("user__email")
        .annotate(calls=Count("id"), cost_usd=Sum("cost_usd"))
        .order_by("-cost_usd")[:top]
    )
    return {
        "today": _totals(today),
        "month": _totals(month),
        "per_customer": list(per_customer),
        "top_users": list(top_users),
    }
