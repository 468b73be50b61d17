"""Four weeks of the demo customer's usage, so its dashboard and the staff dashboard show data (seed_demo).

Days before the fold's reach are stored and folded by `events_backfill`; the last day goes the way
every event goes (`event_record`, the buffer's writer, the fold). The events are made up but
deterministic (seeded by the customer), marked `source = "demo"`, and made once: a rerun finds them.
Runs after the other seeders and outside their transactions: the buffer's writer commits on its own.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from platform_core.analytics import EventRow, event_buffer_flush, event_record
from platform_core.demo import Demo, demo_seeder_register
from realtime.analytics.services import FOLD_NAME, events_backfill, rollups_fold, views_refresh
from realtime.models import AnalyticsEvent, AnalyticsFold

SOURCE = "demo"
HISTORY_DAYS_MAX = 60
PAGES = ["/dashboard", "/icp", "/personas", "/cost-calculator", "/business-case", "/resources", "/exports"]
TOOLS = ["icp", "personas", "cost_calculator", "business_case", "resources"]


def _day_events(rng: random.Random, day_index: int, weekday: int) -> list[tuple[str, dict[str, Any]]]:
    """What the owner did on one day: busy on weekdays, the tools tried in the first week."""
    if weekday >= 5 and rng.random() < 0.6:
        return []
    events: list[tuple[str, dict[str, Any]]] = [("user.signed_in", {})]
    if day_index == 0:
        events = [("user.signed_up", {}), ("assessment.started", {}), ("assessment.completed", {"value": 58}), *events]
    events += [("page.viewed", {"path": rng.choice(PAGES)}) for _ in range(rng.randint(3, 9))]
    events += [("tool.opened", {"tool": rng.choice(TOOLS)}) for _ in range(rng.randint(1, 3))]
    events += [
        ("tool.used", {"tool": rng.choice(["cost_calculator", "business_case"])}) for _ in range(rng.randint(0, 2))
    ]
    if day_index == 2:
        events += [("ai.generation", {"operation": "icp", "value": 0.0042}), ("icp.generated", {})]
    generations = rng.randint(0, 2)
    for _ in range(generations):
        operation = rng.choice(["personas", "resource", "company_rating"])
        events.append(("ai.generation", {"operation": operation, "value": round(rng.uniform(0.002, 0.03), 4)}))
        if operation == "company_rating":
            events.append(("rating.created", {"value": rng.randint(35, 92)}))
    if rng.random() < 0.35:
        document = rng.choice(["comprehensive-report", "business-case", "icp-analysis"])
        events.append(("export.requested", {"document": document, "format": rng.choice(["pdf", "docx"])}))
        events.append(("export.downloaded", {"document": document}))
    if rng.random() < 0.4:
        events.append(("resource.viewed", {"code": "icp-framework"}))
    if day_index % 9 == 4:  # the assessment retaken now and then, the score creeping up
        events += [("assessment.started", {}), ("assessment.completed", {"value": 58 + day_index // 3})]
    return events


def _at(rng: random.Random, day: datetime) -> datetime:
    return day + timedelta(hours=rng.randint(7, 18), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))


@demo_seeder_register("analytics", atomic=False)
def seed(demo: Demo) -> list[str]:
    customer, owner = demo.customer, demo.owner
    event_buffer_flush()  # the services' own events of this run (the seeders before this one)
    if AnalyticsEvent.objects.filter(customer_id=customer.pk, source=SOURCE).exists():
        return ["usage history: kept"]
    now = timezone.now()
    rng = random.Random(f"demo-analytics-{customer.pk}")  # noqa: S311 - made-up usage, not a secret
    # Backfilled days end before the fold's watermark (where the regular fold would count them again).
    fold = AnalyticsFold.objects.filter(name=FOLD_NAME).first()
    reach = now - timedelta(hours=settings.ANALYTICS_EVENT_MAX_AGE_HOURS)
    history_end = datetime.combine(min(reach, fold.folded_until if fold else reach).date(), time(), tzinfo=now.tzinfo)
    first_day = max(customer.created_at, now - timedelta(days=HISTORY_DAYS_MAX))
    day = datetime.combine(first_day.date(), time(), tzinfo=now.tzinfo)
    rows: list[EventRow] = []
    index = 0
    while day < history_end:
        for type_, properties in _day_events(rng, index, day.weekday()):
            rows.append((_at(rng, day), customer.pk, owner.pk, type_, properties, SOURCE))
        day += timedelta(days=1)
        index += 1
    events_backfill(rows)
    # The last day, recorded like any event (within the fold's reach).
    recent = [
        (20, "user.signed_in", {}),
        (20, "page.viewed", {"path": "/dashboard"}),
        (19, "tool.opened", {"tool": "cost_calculator"}),
        (6, "user.signed_in", {}),
        (6, "page.viewed", {"path": "/icp"}),
        (5, "resource.viewed", {"code": "icp-framework"}),
    ]
    for hours_ago, type_, properties in recent:
        event_record(
            type_, user=owner, properties=properties, occurred_at=now - timedelta(hours=hours_ago), source=SOURCE
        )
    event_buffer_flush()
    rollups_fold()
    views_refresh()
    days = len({row[0].date() for row in rows})
    return [f"usage history: {len(rows) + len(recent)} events over {days} active days, folded into the dashboards"]
