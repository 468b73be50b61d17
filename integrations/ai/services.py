"""Writes of the AI gateway: usage ledger rows, the daily rollup, budgets and their alerts."""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from integrations.ai.models import AIBudget, AIUsage, AIUsageDaily
from integrations.ai.redis_store import KEY_PREFIX, ai_redis
from integrations.email.services import email_enqueue
from platform_core.exceptions import ApplicationError
from platform_core.models import Customer
from platform_core.notifications import STAFF

logger = logging.getLogger(__name__)
MILLION = Decimal(1_000_000)
MICRO_DOLLAR = Decimal("0.000001")


def ai_cost_usd(*, model: str, input_tokens: int, output_tokens: int) -> Decimal:
    """Cost from the price table in settings (USD per 1M tokens); unknown models cost 0 and are logged."""
    prices = settings.AI_PRICES.get(model)
    if prices is None:
        logger.warning("no AI price for model %s; cost recorded as 0", model)
        return Decimal(0)
    price_in, price_out = (Decimal(str(p)) for p in prices)
    cost = (input_tokens * price_in + output_tokens * price_out) / MILLION
    return cost.quantize(MICRO_DOLLAR, rounding=ROUND_HALF_UP)


def _month_start() -> datetime:
    return timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def ai_month_spend(*, customer_id: int | None = None) -> Decimal:
    rows = AIUsage.objects.filter(created_at__gte=_month_start())
    if customer_id is not None:
        rows = rows.filter(customer_id=customer_id)
    return rows.aggregate(total=Sum("cost_usd"))["total"] or Decimal(0)


def _budgets(customer_id: int | None) -> list[tuple[str, Decimal, Decimal]]:
    """(scope, limit, spent) for the platform and, when it has one, the customer."""
    scopes = [("platform", Decimal(str(settings.AI_MONTHLY_BUDGET_USD)), ai_month_spend())]
    if customer_id is not None:
        budget = AIBudget.objects.filter(customer_id=customer_id).first()
        if budget is not None:
            scopes.append(
                (f"customer {customer_id}", budget.monthly_limit_usd, ai_month_spend(customer_id=customer_id))
            )
    return scopes


def ai_budget_check(*, customer_id: int | None) -> None:
    """Refuse AI work once the platform's or the customer's monthly budget is spent."""
    for scope, limit, spent in _budgets(customer_id):
        if spent >= limit:
            raise ApplicationError(
                "The monthly AI budget is used up; AI features are paused until next month.",
                code="ai_budget_exhausted",
                status_code=402,
                details={"scope": scope.split()[0], "budgetUsd": str(limit), "spentUsd": str(spent)},
            )


def _budget_alert(*, scope: str, limit: Decimal, spent: Decimal, customer_id: int | None) -> None:
    """Once per scope and month, when spending crosses AI_BUDGET_ALERT_RATIO: log and e-mail staff."""
    month = timezone.now().strftime("%Y-%m")
    if not ai_redis().set(f"{KEY_PREFIX}budget-alert:{scope}:{month}", 1, nx=True, ex=40 * 86400):
        return
    percent = int(spent / limit * 100) if limit else 100
    logger.warning("AI budget alert: %s spent $%.2f of $%.2f this month (%d%%)", scope, spent, limit, percent)
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
    context = {"spent_usd": f"{spent:.2f}", "budget_usd": f"{limit:.2f}", "percent_used": percent,
               "customer_name": customer.name if customer else ""}  # fmt: skip
    email_enqueue(template="ai_budget_alert", to=STAFF, context=context)


@transaction.atomic
def ai_usage_record(
    *,
    operation: str,
    provider: str,
    model: str,
    customer_id: int | None,
    user_id: int | None,
    input_tokens: int = 0,
    output_tokens: int = 0,
    cost_usd: Decimal = Decimal(0),
    duration_ms: int = 0,
    success: bool = True,
    cached: bool = False,
    error_code: str = "",
) -> AIUsage:
    usage = AIUsage.objects.create(
        operation=operation, provider=provider, model=model, customer_id=customer_id, user_id=user_id,
        input_tokens=input_tokens, output_tokens=output_tokens, cost_usd=cost_usd, duration_ms=duration_ms,
        success=success, cached=cached, error_code=error_code,
    )  # fmt: skip
    if cost_usd > 0:
        for scope, limit, spent in _budgets(customer_id):
            if spent >= limit * Decimal(str(settings.AI_BUDGET_ALERT_RATIO)):
                _budget_alert(
                    scope=scope, limit=limit, spent=spent, customer_id=customer_id if scope != "platform" else None
                )
    return usage


@transaction.atomic
def ai_budget_set(*, customer: Customer, monthly_limit_usd: Decimal | None) -> AIBudget | None:
    """Set (or with None remove) a customer's monthly AI budget."""
    if monthly_limit_usd is None:
        AIBudget.objects.filter(customer=customer).delete()
        return None
    if monthly_limit_usd < 0:
        raise ApplicationError("A budget cannot be negative.", code="validation_error")
    budget, _ = AIBudget.objects.update_or_create(customer=customer, defaults={"monthly_limit_usd": monthly_limit_usd})
    return budget


@transaction.atomic
def ai_usage_rollup(*, day: date) -> int:
    """Recompute the day's sums per customer, provider and model (idempotent); returns rows written."""
    AIUsageDaily.objects.filter(date=day).delete()
    groups = (
        AIUsage.objects.filter(created_at__date=day)
        .values("customer_id", "provider", "model")
        .annotate(
            calls=Count("id"),
            failures=Count("id", filter=Q(success=False)),
            cached_calls=Count("id", filter=Q(cached=True)),
            input_tokens=Sum("input_tokens"),
            output_tokens=Sum("output_tokens"),
            cost_usd=Sum("cost_usd"),
        )
    )
    rows = [AIUsageDaily(date=day, **group) for group in groups]
    AIUsageDaily.objects.bulk_create(rows)
    return len(rows)
