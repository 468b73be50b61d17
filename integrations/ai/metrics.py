"""The AI gateway's gauges for /metrics, read at scrape time from its shared Redis state and ledger:
tokens used in the current window against the limit, breaker state, this month's spend and budget."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from integrations.ai import breaker, limits
from integrations.ai.models import AIUsage
from integrations.ai.services import ai_month_spend

BREAKER_VALUES = {breaker.CLOSED: 0, breaker.HALF_OPEN: 1, breaker.OPEN: 2}


def ai_metrics_collect() -> Iterator[Metric]:
    models = sorted({tuple(entry.split(":", 1)) for chain in settings.AI_MODEL_CHAINS.values() for entry in chain})
    used = GaugeMetricFamily(
        "platform_ai_window_tokens", "Tokens reserved in the current rate window.", labels=["provider", "model"]
    )
    for provider, model in models:
        used.add_metric([provider, model], limits.window_usage(provider, model)[0])
    yield used
    yield GaugeMetricFamily(
        "platform_ai_tokens_per_minute_limit",
        "The shared tokens-per-minute limit.",
        value=settings.AI_TOKENS_PER_MINUTE,
    )
    state = GaugeMetricFamily(
        "platform_ai_breaker_state", "Circuit breaker per provider: 0 closed, 1 half-open, 2 open.", labels=["provider"]
    )
    for provider in sorted({provider for provider, _ in models}):
        state.add_metric([provider], BREAKER_VALUES[breaker.breaker_state(provider)])
    yield state
    yield GaugeMetricFamily("platform_ai_month_spend_usd", "AI spend this month.", value=float(ai_month_spend()))
    yield GaugeMetricFamily(
        "platform_ai_month_budget_usd", "The platform's monthly AI budget.", value=settings.AI_MONTHLY_BUDGET_USD
    )


def ai_spend_today_usd() -> str:
    """For the staff health page: today's AI spend (UTC), in dollars."""
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    spent = AIUsage.objects.filter(created_at__gte=today).aggregate(total=Sum("cost_usd"))["total"] or 0
    return f"{spent:.2f}"
