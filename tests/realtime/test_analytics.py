"""The analytics engine on real PostgreSQL (partitioned events, a streaming standby), Redis and sockets."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from platform_core.analytics import event_buffer_flush, event_buffer_size, event_record
from realtime.analytics.live import dashboard_updates_publish
from realtime.analytics.selectors import staff_dashboard
from realtime.analytics.services import (
    _fold_sql,
    events_backfill,
    partitions_list,
    partitions_maintain,
    rollups_fold,
    views_refresh,
)
from realtime.models import AnalyticsActiveDay, AnalyticsEvent, AnalyticsRollup
from tests.platform_core.factories import PASSWORD, UserFactory
from tests.realtime.test_sockets import connected, frame, in_thread, jwt_client, run
from tests.support.replica import standby_stopped, wait_replicated
from tests.support.worker import wait_for

live = pytest.mark.django_db(transaction=True)
with_replica = pytest.mark.django_db(databases=["default", "replica"], transaction=True)


def events_of(customer) -> list[AnalyticsEvent]:
    return list(AnalyticsEvent.objects.filter(customer_id=customer.pk).order_by("id"))


def rollup(granularity, customer, type_) -> list[tuple]:
    rows = AnalyticsRollup.objects.filter(granularity=granularity, customer_id=customer.pk, type=type_)
    return list(rows.order_by("bucket").values_list("bucket", "count", "value_sum"))


def active_users(customer) -> set[int]:
    """The users active on any day for `customer` (None: the users without a customer)."""
    customer_id = customer.pk if customer is not None else None
    days = AnalyticsActiveDay.objects.filter(customer_id=customer_id).values_list("user_ids", flat=True)
    return {user_id for user_ids in days for user_id in user_ids}


def fold_and_replicate() -> list[dict]:
    delta = rollups_fold()
    wait_replicated()
    return delta


# --- recording and ingest ---------------------------------------------------------------------


@live
def test_sign_in_records_an_event_for_the_user_and_customer(api_client):
    user = UserFactory()
    response = api_client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    event_buffer_flush()
    [event] = events_of(user.customer)
    assert (event.type, event.user_id, event.source) == ("user.signed_in", user.pk, "server")


@live
def test_the_frontend_sends_a_batch_and_it_is_stored_for_the_callers_customer():
    user = UserFactory()
    client = jwt_client(user)
    at = timezone.now() - timedelta(minutes=5)
    body = {
        "events": [
            {"type": "page.viewed", "occurredAt": at.isoformat(), "properties": {"path": "/dashboard"}},
            {"type": "tool.opened", "properties": {"tool": "icp"}},
        ]
    }
    response = client.post("/api/v1/analytics/events", body, format="json")
    assert response.status_code == 202, response.content
    assert response.json() == {"accepted": 2}
    event_buffer_flush()
    stored = events_of(user.customer)
    assert [(e.type, e.properties, e.user_id, e.source) for e in stored] == [
        ("page.viewed", {"path": "/dashboard"}, user.pk, "client"),
        ("tool.opened", {"tool": "icp"}, user.pk, "client"),
    ]
    assert abs(stored[0].occurred_at - at) < timedelta(milliseconds=1)
    assert stored[0].received_at >= stored[0].occurred_at


@pytest.mark.parametrize(
    ("event", "field", "code"),
    [
        ({"type": "user.signed_in"}, "type", "unknown_event_type"),  # server-only types are not the client's
        ({"type": "page.viewd"}, "type", "unknown_event_type"),
        ({"type": "page.viewed", "occurredAt": "yesterday-ish"}, "occurredAt", "invalid"),
        ({"type": "page.viewed", "occurredAt": "2999-01-01T00:00:00Z"}, "occurredAt", "timestamp_in_future"),
        ({"type": "page.viewed", "occurredAt": "2020-01-01T00:00:00Z"}, "occurredAt", "timestamp_too_old"),
        ({"type": "page.viewed", "properties": {"blob": "x" * 5000}}, "properties", "properties_too_large"),
    ],
)
@live
def test_a_bad_event_refuses_the_whole_batch_naming_the_field(event, field, code):
    user = UserFactory()
    before = event_buffer_size()
    body = {"events": [{"type": "page.viewed"}, event]}
    response = jwt_client(user).post("/api/v1/analytics/events", body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["details"]["events"]["1"], error  # the second event's field
    assert event_buffer_size() == before
    event_buffer_flush()
    assert events_of(user.customer) == []


@live
def test_batches_are_capped_and_need_a_customer_and_a_login(settings):
    user = UserFactory()
    body = {"events": [{"type": "page.viewed"}] * (settings.ANALYTICS_INGEST_MAX_BATCH + 1)}
    response = jwt_client(user).post("/api/v1/analytics/events", body, format="json")
    assert response.status_code == 400
    assert "events" in response.json()["error"]["details"]
    assert jwt_client(user).post("/api/v1/analytics/events", {"events": []}, format="json").status_code == 400
    assert APIClient().post("/api/v1/analytics/events", {"events": [{"type": "page.viewed"}]}).status_code == 401
    staff = UserFactory(customer=None, is_staff=True)
    response = jwt_client(staff).post("/api/v1/analytics/events", {"events": [{"type": "page.viewed"}]})
    assert (response.status_code, response.json()["error"]["code"]) == (403, "no_customer")


@live
def test_ingest_is_rate_limited(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "analytics_ingest": "2/m"}
    client = jwt_client(UserFactory())
    body = {"events": [{"type": "page.viewed"}]}
    assert [client.post("/api/v1/analytics/events", body, format="json").status_code for _ in range(3)] == [
        202,
        202,
        429,
    ]


# --- partitions -------------------------------------------------------------------------------


@live
def test_partitions_are_created_ahead_and_old_ones_dropped_with_their_rows(settings):
    table = AnalyticsEvent._meta.db_table
    today = timezone.now().date()
    old_day = today - timedelta(days=settings.ANALYTICS_RETENTION_DAYS + 3)
    old_name = f"{table}_p{old_day:%Y%m%d}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {old_name} PARTITION OF {table} FOR VALUES FROM (%s) TO (%s)",
            [f"{old_day} 00:00+00", f"{old_day + timedelta(days=1)} 00:00+00"],
        )
        cursor.execute(
            f"INSERT INTO {table} (occurred_at, type) VALUES (%s, 'user.signed_in')",  # noqa: S608 - our table
            [f"{old_day} 12:00+00"],
        )
    result = partitions_maintain()
    names = partitions_list()
    assert old_name in result["dropped"]
    assert old_name not in names
    for ahead in range(settings.ANALYTICS_PARTITIONS_AHEAD_DAYS + 1):
        assert f"{table}_p{today + timedelta(days=ahead):%Y%m%d}" in names
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [old_name])
        assert cursor.fetchone() == (None,)
    assert partitions_maintain()["created"] == []  # a rerun has nothing to do


@live
def test_the_events_table_is_range_partitioned_with_brin_and_customer_indexes():
    table = AnalyticsEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = %s::regclass", [table])
        assert cursor.fetchone() == ("r",)
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        definitions = " ".join(row[0] for row in cursor.fetchall())
    assert "USING brin (occurred_at)" in definitions
    assert "(customer_id, type, occurred_at)" in definitions


@live
def test_the_fold_reads_only_the_partitions_its_time_bound_allows():
    """EXPLAIN of the fold's scan: the `occurred_at >= oldest` bound prunes older partitions, so the fold
    costs the same whatever the table's history (why the bound is there)."""
    now = timezone.now()
    partitions_maintain()
    table = AnalyticsEvent._meta.db_table
    old_day = (now - timedelta(days=3)).date()
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {table}_p{old_day:%Y%m%d} PARTITION OF {table} FOR VALUES FROM (%s) TO (%s)",
            [f"{old_day} 00:00+00", f"{old_day + timedelta(days=1)} 00:00+00"],
        )
        scan = _fold_sql().split("FROM " + table, 1)[1].split("GROUP BY", 1)[0]
        cursor.execute(
            f"EXPLAIN SELECT count(*) FROM {table} {scan}",  # noqa: S608 - the fold's own SQL
            {"lo": now - timedelta(minutes=1), "hi": now, "oldest": now - timedelta(hours=1)},
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"{table}_p{now.date():%Y%m%d}" in plan
    assert f"{table}_p{old_day:%Y%m%d}" not in plan


# --- rollups ----------------------------------------------------------------------------------


@live
def test_rollups_fold_new_events_once_per_minute_hour_and_day_and_a_rerun_changes_nothing():
    first, second = UserFactory(), UserFactory()
    customer = first.customer
    colleague = UserFactory(customer=customer)
    now = timezone.now().replace(second=30, microsecond=0) - timedelta(minutes=10)
    minute = now.replace(second=0)
    rollups_fold()  # whatever earlier tests left is folded before this test's events
    for at, user, score in [(now, first, 60), (now, colleague, 80), (now + timedelta(minutes=1), first, 70)]:
        event_record("assessment.completed", user=user, occurred_at=at, properties={"value": score})
    event_record("tool.used", user=second, occurred_at=now)
    event_buffer_flush()

    delta = rollups_fold()
    assert {"customer_id": customer.pk, "type": "assessment.completed", "count": 3, "value_sum": 210.0} in delta
    expected_minutes = [(minute, 2, 140.0), (minute + timedelta(minutes=1), 1, 70.0)]
    assert rollup("minute", customer, "assessment.completed") == expected_minutes
    hour = minute.replace(minute=0)
    hours = rollup("hour", customer, "assessment.completed")
    assert sum(count for _, count, _ in hours) == 3 and hours[0][0] in (hour, hour + timedelta(hours=1))
    day = minute.replace(hour=0, minute=0)
    assert sum(count for _, count, _ in rollup("day", customer, "assessment.completed")) == 3
    assert rollup("day", customer, "assessment.completed")[0][0] in (day, day + timedelta(days=1))
    assert rollup("day", second.customer, "tool.used")[0][1] == 1  # the other customer's, apart
    assert active_users(customer) == {first.pk, colleague.pk}  # two people active

    assert rollups_fold() == []  # idempotent: nothing new, nothing added
    assert rollup("minute", customer, "assessment.completed") == expected_minutes

    event_record("assessment.completed", user=first, occurred_at=now, properties={"value": 90})
    event_buffer_flush()
    rollups_fold()
    assert rollup("minute", customer, "assessment.completed")[0] == (minute, 3, 230.0)
    assert active_users(customer) == {first.pk, colleague.pk}  # the same two, counted once


def _active_day_versions() -> dict[int | None, int]:
    """Each active-day row's xmin: the transaction that last wrote it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT customer_id, xmin::text::bigint FROM {AnalyticsActiveDay._meta.db_table}")  # noqa: S608
        return dict(cursor.fetchall())


@live
def test_a_days_users_grow_fold_after_fold_with_or_without_a_customer():
    first = UserFactory()
    customer = first.customer
    colleague = UserFactory(customer=customer)
    rollups_fold()
    AnalyticsActiveDay.objects.all().delete()
    at = timezone.now() - timedelta(minutes=1)  # one day for every event below
    # Users without a customer (ids of people not signed up yet) share one row a day: NULL customer.
    event_record("tool.used", user=first, occurred_at=at)
    event_record("page.viewed", user_id=9_000_001, occurred_at=at)
    event_buffer_flush()
    rollups_fold()
    event_record("tool.used", user=first, occurred_at=at)
    event_record("tool.used", user=colleague, occurred_at=at)
    event_record("page.viewed", user_id=9_000_002, occurred_at=at)
    event_buffer_flush()
    rollups_fold()
    assert active_users(customer) == {first.pk, colleague.pk}
    assert active_users(None) == {9_000_001, 9_000_002}

    written = _active_day_versions()
    event_record("tool.used", user=colleague, occurred_at=at)  # nobody new today: the row is left as it is
    event_record("page.viewed", user_id=9_000_003, occurred_at=at)
    event_buffer_flush()
    rollups_fold()
    after = _active_day_versions()
    assert after[customer.pk] == written[customer.pk]
    assert after[None] != written[None]
    assert active_users(customer) == {first.pk, colleague.pk}


# --- dashboards -------------------------------------------------------------------------------


def _activity(user, *, completed: int, started: int) -> None:
    for _ in range(started):
        event_record("assessment.started", customer_id=user.customer_id)
    for score in range(completed):
        event_record("assessment.completed", user=user, properties={"value": 50 + score * 10})
    event_record("export.requested", user=user, properties={"document": "icp", "format": "pdf"})
    event_buffer_flush()


@with_replica
def test_a_customers_dashboard_shows_its_own_numbers_read_from_the_standby():
    mine, theirs = UserFactory(), UserFactory()
    _activity(mine, completed=2, started=4)
    _activity(theirs, completed=5, started=5)
    fold_and_replicate()

    response = jwt_client(mine).get("/api/v1/analytics/dashboard?range=7d")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["source"] == "replica"
    assert body["granularity"] == "day"
    assert body["totals"]["byType"] == {"assessment.started": 4, "assessment.completed": 2, "export.requested": 1}
    assert body["totals"]["activeUsers"] == 1
    assert body["metrics"]["assessmentCompletionRate"] == 0.5
    assert [point["score"] for point in body["metrics"]["scoreTrend"]] == [55.0]
    assert body["metrics"]["exports"] == 1
    assert body["metrics"]["timeToFirstValueHours"] is not None
    completed = next(s for s in body["series"] if s["type"] == "assessment.completed")
    assert sum(point["count"] for point in completed["points"]) == 2

    other = jwt_client(theirs).get("/api/v1/analytics/dashboard?range=24h").json()
    assert other["granularity"] == "hour"
    assert other["totals"]["byType"]["assessment.completed"] == 5  # never the first customer's


@with_replica
def test_active_users_are_counted_per_day_and_once_over_the_range():
    first = UserFactory()
    colleague = UserFactory(customer=first.customer)
    rollups_fold()  # the watermark reaches now: the days below are history
    now = timezone.now()
    two_days_ago, yesterday = now - timedelta(days=2), now - timedelta(days=1)
    events_backfill(
        [
            (two_days_ago, first.customer_id, first.pk, "tool.used", {}, "server"),
            (yesterday, first.customer_id, first.pk, "tool.used", {}, "server"),
            (yesterday, first.customer_id, colleague.pk, "tool.used", {}, "server"),
            (yesterday, first.customer_id, colleague.pk, "tool.used", {}, "server"),
        ]
    )
    wait_replicated()

    body = jwt_client(first).get("/api/v1/analytics/dashboard?range=7d").json()
    per_day = {point["t"][:10]: point["count"] for point in body["activeUsers"]}
    assert per_day == {f"{two_days_ago:%Y-%m-%d}": 1, f"{yesterday:%Y-%m-%d}": 2}
    assert body["totals"]["activeUsers"] == 2  # the first person on both days counts once


@with_replica
def test_the_dashboard_refuses_an_unknown_range():
    response = jwt_client(UserFactory()).get("/api/v1/analytics/dashboard?range=5y")
    assert response.status_code == 400
    assert "range" in response.json()["error"]["details"]


@with_replica
def test_dashboard_reads_fall_back_to_the_primary_when_the_standby_is_stopped():
    user = UserFactory()
    _activity(user, completed=1, started=1)
    fold_and_replicate()
    assert jwt_client(user).get("/api/v1/analytics/dashboard").json()["source"] == "replica"
    with standby_stopped():
        body = jwt_client(user).get("/api/v1/analytics/dashboard").json()
        assert body["source"] == "primary"
        assert body["totals"]["byType"]["assessment.completed"] == 1
    # Back once the restarted standby has caught up (its first checks may still see it starting).
    wait_for(
        lambda: jwt_client(user).get("/api/v1/analytics/dashboard").json()["source"] == "replica",
        what="reads to return to the standby",
    )


@with_replica
def test_dashboard_reads_fall_back_to_the_primary_while_the_standby_lags(settings):
    settings.REPLICA_CHECK_INTERVAL_S = 0
    settings.REPLICA_MAX_LAG_S = 0.2
    user = UserFactory()
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        _activity(user, completed=1, started=1)
        rollups_fold()  # committed on the primary; the paused standby receives but does not replay it

        def from_primary():
            body = jwt_client(user).get("/api/v1/analytics/dashboard").json()
            return body if body["source"] == "primary" else None

        body = wait_for(from_primary, what="the lagging standby to be skipped")
        assert body["totals"]["byType"]["assessment.completed"] == 1
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    wait_replicated()
    # Back on the standby once it has caught up; with a 0.2 s lag bound, WAL written meanwhile by
    # anything else can make one check see it behind, so the return is awaited, not sampled once.
    wait_for(
        lambda: jwt_client(user).get("/api/v1/analytics/dashboard").json()["source"] == "replica",
        what="reads to return to the caught-up standby",
    )


@with_replica
def test_the_staff_dashboard_reads_the_materialized_views():
    user = UserFactory()
    _activity(user, completed=3, started=3)
    event_record("user.signed_up", user=user)
    event_record("ai.generation", user=user, properties={"operation": "icp", "value": 0.25})
    event_buffer_flush()
    fold_and_replicate()
    views_refresh()
    wait_replicated()
    body = staff_dashboard(days=7)
    assert body["source"] == "replica"
    assert body["totals"]["assessment.completed"] >= 3
    assert body["signups"] >= 1
    assert body["ai_spend_usd"] >= 0.25
    assert body["active_users"][-1] >= 1, body
    assert body["funnel"][0]["step"] == "assessment.completed"


# --- live updates -----------------------------------------------------------------------------


@live
def test_a_dashboard_socket_receives_the_folded_events_of_its_customer_only(asgi_server):
    mine, theirs = UserFactory(), UserFactory()
    staff = UserFactory(customer=None, is_staff=True)

    async def scenario():
        my_socket = await connected(asgi_server, mine)
        their_socket = await connected(asgi_server, theirs)
        staff_socket = await connected(asgi_server, staff)

        def record_and_fold():
            event_record("tool.used", user=mine, properties={"tool": "cost_calculator"})
            event_buffer_flush()
            dashboard_updates_publish(delta=rollups_fold())

        await in_thread(record_and_fold)
        update = await frame(my_socket)
        assert update["type"] == "analytics.update"
        assert (update["scope"], update["counts"]) == ("customer", {"tool.used": 1})
        platform = await frame(staff_socket)
        assert platform["scope"] == "platform"
        assert platform["counts"]["tool.used"] >= 1
        with pytest.raises(asyncio.TimeoutError):
            await frame(their_socket, timeout=1)
        for ws in (my_socket, their_socket, staff_socket):
            await ws.close()

    run(scenario())
