"""Reads of the analytics engine: a customer's dashboard and the staff dashboard.

Both read the rollups and materialized views (never the raw events for totals) through
`config.db_router.analytics_db()`: the standby when it is current, else the primary. A query that
fails on the standby is retried on the primary once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import DatabaseError, connections
from django.db.models import Count, Func, IntegerField
from django.utils import timezone

from config.db_router import REPLICA, analytics_db, replica_mark_down
from platform_core.models import Customer, Job
from realtime.analytics.catalogue import FIRST_VALUE_TYPES
from realtime.analytics.services import PLATFORM_ACTIVE_VIEW, PLATFORM_DAILY_VIEW
from realtime.models import AnalyticsActiveDay, AnalyticsFold, AnalyticsRollup

T = TypeVar("T")

RANGES: dict[str, tuple[timedelta, str]] = {
    "24h": (timedelta(hours=24), AnalyticsRollup.Granularity.HOUR),
    "7d": (timedelta(days=7), AnalyticsRollup.Granularity.DAY),
    "30d": (timedelta(days=30), AnalyticsRollup.Granularity.DAY),
    "90d": (timedelta(days=90), AnalyticsRollup.Granularity.DAY),
}
DEFAULT_RANGE = "30d"


def _on_analytics_db(read: Callable[[str], T]) -> tuple[T, str]:
    """Run `read(alias)` on the analytics database; if the standby fails mid-way, on the primary."""
    alias = analytics_db()
    if alias == REPLICA:
        try:
            return read(alias), "replica"
        except DatabaseError:
            replica_mark_down()
            connections[REPLICA].close()
    return read("default"), "primary"


def _window(range_key: str, now: datetime) -> tuple[datetime, datetime, str]:
    span, granularity = RANGES[range_key]
    unit = timedelta(hours=1) if granularity == AnalyticsRollup.Granularity.HOUR else timedelta(days=1)
    end = now.replace(minute=0, second=0, microsecond=0)
    if unit == timedelta(days=1):
        end = end.replace(hour=0)
    start = end + unit - span  # the current bucket is the last of the range
    return start, end + unit, granularity


def _fold_as_of(alias: str) -> str | None:
    fold = AnalyticsFold.objects.using(alias).filter(name="events").first()
    return fold.folded_until.isoformat() if fold else None


def customer_dashboard(
    *, customer: Customer, range_key: str = DEFAULT_RANGE, now: datetime | None = None
) -> dict[str, Any]:
    """The customer's own numbers: a series per event type, totals, active users and the derived metrics."""
    now = now or timezone.now()
    start, end, granularity = _window(range_key, now)

    def read(alias: str) -> dict[str, Any]:
        rows = list(
            AnalyticsRollup.objects.using(alias)
            .filter(granularity=granularity, customer_id=customer.pk, bucket__gte=start, bucket__lt=end)
            .order_by("type", "bucket")
            .values_list("type", "bucket", "count", "value_sum")
        )
        # A row per day holding its users: the day's count is the array's length, the range's a distinct
        # count over at most range-days arrays (never a row per user and day).
        days = (start.date(), end.date() + timedelta(days=1))  # [first, after the last)
        active_days = AnalyticsActiveDay.objects.using(alias).filter(
            customer_id=customer.pk, day__gte=days[0], day__lt=days[1]
        )
        active = list(
            active_days.annotate(
                users=Func("user_ids", function="cardinality", output_field=IntegerField())
            ).values_list("day", "users")
        )
        with connections[alias].cursor() as cursor:
            cursor.execute(
                f"SELECT count(DISTINCT user_id) FROM {AnalyticsActiveDay._meta.db_table}, "  # noqa: S608 - our table
                "unnest(user_ids) AS ids(user_id) WHERE customer_id = %s AND day >= %s AND day < %s",
                [customer.pk, *days],
            )
            active_total = cursor.fetchone()[0]
        # Hour rollups are kept for good and indexed by customer: no probe into every events partition.
        # The first of each type on its own (the unique index's prefix, then bucket order: one index probe
        # each); `type IN (...) ORDER BY bucket LIMIT 1` had PostgreSQL walk the bucket index of every
        # customer's hours, 1.2 s over 10 M events for a customer with none of these types.
        hours = AnalyticsRollup.objects.using(alias).filter(
            granularity=AnalyticsRollup.Granularity.HOUR, customer_id=customer.pk
        )
        firsts = [
            hours.filter(type=type_).order_by("bucket").values_list("bucket", flat=True)[:1]
            for type_ in FIRST_VALUE_TYPES
        ]
        first_value = min(firsts[0].union(*firsts[1:], all=True), default=None)
        return {
            "rows": rows,
            "active": active,
            "active_total": active_total,
            "first_value": first_value,
            "as_of": _fold_as_of(alias),
        }

    data, source = _on_analytics_db(read)
    series: dict[str, list[dict[str, Any]]] = {}
    totals: dict[str, int] = {}
    value_sums: dict[str, float] = {}
    for type_, bucket, count, value_sum in data["rows"]:
        series.setdefault(type_, []).append({"t": bucket.isoformat(), "count": count})
        totals[type_] = totals.get(type_, 0) + count
        value_sums[type_] = value_sums.get(type_, 0.0) + value_sum
    started, completed = totals.get("assessment.started", 0), totals.get("assessment.completed", 0)
    score_trend = [
        {"t": bucket.isoformat(), "score": round(value_sum / count, 1)}
        for type_, bucket, count, value_sum in data["rows"]
        if type_ == "assessment.completed" and count
    ]
    first_value = data["first_value"]
    return {
        "range": range_key,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "granularity": granularity,
        "source": source,
        "as_of": data["as_of"],
        "totals": {
            "events": sum(totals.values()),
            "by_type": totals,
            "active_users": data["active_total"],
        },
        "series": [{"type": type_, "points": points} for type_, points in sorted(series.items())],
        "active_users": [{"t": day.isoformat(), "count": users} for day, users in sorted(data["active"])],
        "metrics": {
            "assessment_completion_rate": round(completed / started, 4) if started else None,
            "score_trend": score_trend,
            "tool_usage": totals.get("tool.used", 0),
            "exports": totals.get("export.requested", 0),
            "downloads": totals.get("export.downloaded", 0),
            "ai_generations": totals.get("ai.generation", 0),
            "ai_cost_usd": round(value_sums.get("ai.generation", 0.0), 4),
            "time_to_first_value_hours": (
                max(0.0, round((first_value - customer.created_at).total_seconds() / 3600, 1)) if first_value else None
            ),
        },
    }


def customer_has_usage(*, customer: Customer) -> bool:
    """Any folded usage for the customer (on the primary: offering a report must not wait for a replica)."""
    return AnalyticsRollup.objects.filter(granularity=AnalyticsRollup.Granularity.DAY, customer_id=customer.pk).exists()


def staff_dashboard(*, days: int = 30, now: datetime | None = None) -> dict[str, Any]:
    """The platform's numbers per day from the materialized views, plus job health (last 24 h)."""
    now = now or timezone.now()
    start = (now - timedelta(days=days - 1)).date()

    def read(alias: str) -> dict[str, Any]:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                f"SELECT day, type, events, customers, value_sum FROM {PLATFORM_DAILY_VIEW} "  # noqa: S608 - our view
                "WHERE day >= %s ORDER BY day",
                [start],
            )
            daily = cursor.fetchall()
            cursor.execute(
                f"SELECT day, active_users, active_customers FROM {PLATFORM_ACTIVE_VIEW} WHERE day >= %s ORDER BY day",  # noqa: S608
                [start],
            )
            active = cursor.fetchall()
        jobs = Job.objects.using(alias).filter(updated_at__gte=now - timedelta(hours=24))
        health = {row["status"]: row["n"] for row in jobs.values("status").annotate(n=Count("id"))}
        return {"daily": daily, "active": active, "jobs": health, "as_of": _fold_as_of(alias)}

    data, source = _on_analytics_db(read)
    days_axis = [(start + timedelta(days=offset)).isoformat() for offset in range(days)]
    per_type: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    ai_spend = 0.0
    for day, type_, events, _customers, value_sum in data["daily"]:
        per_type.setdefault(type_, {})[day.isoformat()] = int(events)
        totals[type_] = totals.get(type_, 0) + int(events)
        if type_ == "ai.generation":
            ai_spend += float(value_sum)
    active = {day.isoformat(): (users, customers) for day, users, customers in data["active"]}
    funnel_steps = ["assessment.completed", "user.signed_up", "subscription.activated"]
    return {
        "days": days_axis,
        "source": source,
        "as_of": data["as_of"],
        "series": {type_: [points.get(day, 0) for day in days_axis] for type_, points in sorted(per_type.items())},
        "active_users": [active.get(day, (0, 0))[0] for day in days_axis],
        "active_customers": [active.get(day, (0, 0))[1] for day in days_axis],
        "totals": totals,
        "signups": totals.get("user.signed_up", 0),
        "funnel": [{"step": step, "count": totals.get(step, 0)} for step in funnel_steps],
        "ai_spend_usd": round(ai_spend, 4),
        "jobs": data["jobs"],
    }
