"""Analytics engine: recording cost, ingest rate, dashboards over many events, fold time, live latency.

Run it on fresh servers with a streaming standby (dashboards read the standby, as deployed):

    .venv/bin/python scripts/stack.py --ephemeral --durable --replica -- .venv/bin/python bench/analytics.py
    ... bench/analytics.py --events 10000000 --customers 500

What it measures, each beside a baseline of the same run (the machine is shared: absolute numbers drift):
1. event_record() per call, with the flush thread writing meanwhile, against one bare Django request
   (RequestFactory through the whole middleware stack to a JsonResponse): the added cost per request.
2. Ingest: events recorded then written by the buffer's COPY batches into the partitioned table, per second.
3. History: --events spread over 90 days and --customers (one INSERT ... SELECT), folded into the rollups.
4. A customer's 90-day dashboard and the staff dashboard (p50/p95 of the selectors, on the standby).
5. The incremental fold of one minute of events at the ingest target (5,000/s: 300,000 events), three
   times, each minute's users new to their customer's day (the fold's worst case).
6. Live: event_record -> flush -> fold (every ANALYTICS_FOLD_INTERVAL_S, as beat runs it) -> the
   customer's channel-layer group, received by a subscriber.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "0")  # seeding and the first fold of the history run long

from bench.common import percentiles  # noqa: E402 - after the path


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2_000_000, help="history spread over 90 days")
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--ingest", type=int, default=100_000, help="events recorded for the ingest rate")
    parser.add_argument("--minute-events", type=int, default=300_000, help="one minute of events at 5,000/s")
    args = parser.parse_args()

    import django

    django.setup()
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.http import JsonResponse
    from django.test import RequestFactory
    from django.utils import timezone

    from config.db_router import analytics_db
    from platform_core.analytics import event_buffer_flush, event_buffer_size, event_record
    from platform_core.events import customer_group
    from platform_core.models import Customer
    from realtime.analytics.live import dashboard_updates_publish
    from realtime.analytics.selectors import customer_dashboard, staff_dashboard
    from realtime.analytics.services import partitions_ensure, partitions_maintain, rollups_fold, views_refresh
    from realtime.models import AnalyticsEvent, AnalyticsRollup

    call_command("migrate", verbosity=0)
    rows: list[tuple[str, str, str]] = []
    print(f"analytics db for reads: {analytics_db()}; machine shared with other work", flush=True)

    # 1. Recording cost beside a bare request.
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    factory = RequestFactory()
    from django.urls import path

    import config.urls as urls

    urls.urlpatterns.append(path("bench/bare", lambda request: JsonResponse({"ok": True})))
    from django.urls import clear_url_caches

    clear_url_caches()

    def bare_request() -> None:
        request = factory.get("/bench/bare", HTTP_HOST="localhost")
        handler.get_response(request)

    bare_request()
    bare = min(statistics.mean(timed(bare_request, 500)) for _ in range(3))
    customer = Customer.objects.create(name="Bench", slug=f"bench-{time.time_ns()}")
    calls = 100_000
    # The request path: the append only (the writer is unregistered meanwhile; the buffer is cleared after).
    from platform_core import analytics

    writer, analytics._writer = analytics._writer, None
    started = time.perf_counter()
    for _ in range(calls):
        event_record("page.viewed", customer_id=customer.pk, user_id=1, properties={"path": "/x"})
    append_ms = (time.perf_counter() - started) * 1000 / calls
    analytics._buffer.rows.clear()
    analytics._writer = writer
    # The writer's share, paid by the same process off the request path: COPY batches of the flush size.
    from realtime.analytics.services import events_write

    batch = [(timezone.now(), customer.pk, 1, "page.viewed", {"path": "/x"}, "server")] * settings.ANALYTICS_FLUSH_BATCH
    write_ms = min(timed(lambda: events_write(batch), 5)) / len(batch)
    rows.append(("bare Django request (baseline)", f"{bare:.3f} ms", ""))
    rows.append(
        ("event_record() append (request path)", f"{append_ms * 1000:.2f} µs", f"{append_ms / bare:.1%} of a request")
    )
    rows.append(
        (
            "+ its share of the COPY write",
            f"{write_ms * 1000:.2f} µs",
            f"{(append_ms + write_ms) / bare:.1%} of a request in all",
        )
    )

    # 2. Ingest: record, then wait until the buffer's thread has written everything.
    before = AnalyticsEvent.objects.count()
    started = time.perf_counter()
    for index in range(args.ingest):
        event_record("tool.opened", customer_id=customer.pk, user_id=index % 50, properties={"tool": "icp"})
    while event_buffer_size():
        time.sleep(0.05)
    event_buffer_flush()
    elapsed = time.perf_counter() - started
    stored = AnalyticsEvent.objects.count() - before
    rows.append(("ingest (record + COPY batches)", f"{stored / elapsed:,.0f} events/s", f"{stored:,} events"))
    rollups_fold()

    # 3. History over 90 days.
    now = timezone.now()
    partitions_ensure(start=(now - timedelta(days=91)).date(), end=now.date())
    Customer.objects.bulk_create(
        Customer(name=f"Bench {n}", slug=f"bench-{time.time_ns()}-{n}") for n in range(args.customers)
    )
    ids = list(Customer.objects.order_by("-id").values_list("id", flat=True)[: args.customers])
    table = AnalyticsEvent._meta.db_table
    types = ["page.viewed", "tool.used", "assessment.started", "assessment.completed", "export.requested",
             "ai.generation", "user.signed_in", "icp.generated", "rating.created", "export.downloaded"]  # fmt: skip
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (occurred_at, received_at, customer_id, user_id, type, properties)
            SELECT ts, ts, (%(ids)s::bigint[])[1 + (g %% %(n)s)], (g %% 997), (%(types)s::text[])[1 + (g %% 10)],
                   jsonb_build_object('value', g %% 100)
            FROM (SELECT g, %(now)s::timestamptz - (g * (90 * 86400.0 / %(events)s)) * interval '1 second' AS ts
                  FROM generate_series(1, %(events)s) g) s""",  # noqa: S608 - our table
            {
                "ids": ids,
                "n": len(ids),
                "types": types,
                "now": now - timedelta(minutes=5),
                "events": args.events,
            },
        )
        cursor.execute(f"ANALYZE {table}")
    seed = time.perf_counter() - started
    # History predates the fold's window: fold it once with a watermark 91 days back.
    from realtime.models import AnalyticsFold

    AnalyticsFold.objects.update_or_create(name="events", defaults={"folded_until": now - timedelta(days=91)})
    from django.test import override_settings

    started = time.perf_counter()
    with override_settings(ANALYTICS_EVENT_MAX_AGE_HOURS=24 * 92):
        rollups_fold()
    history_fold = time.perf_counter() - started
    partitions_maintain()  # as beat does hourly: minute rollups older than ANALYTICS_MINUTE_ROLLUP_DAYS go
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {AnalyticsRollup._meta.db_table}")  # as autovacuum does after a prune
    views_refresh()
    rows.append((f"history: {args.events:,} events, {args.customers} customers, 90 days", f"{seed:.1f} s insert",
                 f"{history_fold:.1f} s first fold"))  # fmt: skip

    # 4. Dashboards (wait for the standby to have it all).
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    if analytics_db() == "replica":
        from django.db import connections

        while True:
            with connections["replica"].cursor() as cursor:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
                if cursor.fetchone()[0]:
                    break
            time.sleep(0.2)
    sample = Customer.objects.filter(pk__in=ids[:20])
    source = customer_dashboard(customer=sample[0], range_key="90d")["source"]
    customer_ms = []
    for one in sample:
        customer_ms += timed(lambda one=one: customer_dashboard(customer=one, range_key="90d"), 10)
    p50, p95 = percentiles(customer_ms)
    rows.append((f"customer 90-day dashboard ({source})", f"p50 {p50:.1f} / p95 {p95:.1f} ms", "target p95 < 50 ms"))
    staff_ms = timed(lambda: staff_dashboard(days=90), 30)
    p50, p95 = percentiles(staff_ms)
    rows.append(("staff dashboard, 90 days", f"p50 {p50:.1f} / p95 {p95:.1f} ms", "target < 200 ms"))

    # 5. Incremental fold of one minute of events: three minutes, each from users not seen yet today
    # (the worst case: every event a new active user of its customer's day).
    rollups_fold()

    def minute_of_events(first_user: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {table} (occurred_at, customer_id, user_id, type, properties)
                SELECT now() - (g %% 60) * interval '1 second', (%(ids)s::bigint[])[1 + (g %% %(n)s)],
                       %(users)s + g %% 997, (%(types)s::text[])[1 + (g %% 10)], '{{}}'
                FROM generate_series(1, %(events)s) g""",  # noqa: S608 - our table
                {"ids": ids, "n": len(ids), "types": types, "events": args.minute_events, "users": first_user},
            )

    fold_ms = []
    for repeat in range(3):
        minute_of_events(1000 * (repeat + 1))
        fold_ms += timed(rollups_fold, 1)
    rows.append(
        (
            f"incremental fold of one minute ({args.minute_events:,} events)",
            f"median {statistics.median(fold_ms):.0f} / max {max(fold_ms):.0f} ms",
            "target < 1 s (3 minutes, each all new users)",
        )
    )
    # The common case: everybody in the minute was already seen today (nothing new to store).
    known_ms = []
    for repeat in range(3):
        minute_of_events(1000 * (repeat + 1))
        known_ms += timed(rollups_fold, 1)
    rows.append(
        (
            "  the same minutes again (users already seen today)",
            f"median {statistics.median(known_ms):.0f} / max {max(known_ms):.0f} ms",
            "target < 1 s",
        )
    )

    # 6. Live: record -> flush thread -> fold loop (as beat) -> channel layer group.
    stop = threading.Event()

    def beat() -> None:
        while not stop.is_set():
            dashboard_updates_publish(delta=rollups_fold())
            stop.wait(settings.ANALYTICS_FOLD_INTERVAL_S)

    layer = get_channel_layer()
    latencies = []

    async def listen() -> None:
        channel = await layer.new_channel()
        await layer.group_add(customer_group(customer.pk), channel)
        for _ in range(10):
            await asyncio.sleep(0.7)
            started = time.perf_counter()
            await asyncio.to_thread(event_record, "feature.clicked", customer_id=customer.pk, user_id=1)
            while True:
                message = await layer.receive(channel)
                if message["event"]["counts"].get("feature.clicked"):
                    break
            latencies.append(time.perf_counter() - started)

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    async_to_sync(listen)()
    stop.set()
    rows.append(
        (
            f"live: event -> socket group (fold every {settings.ANALYTICS_FOLD_INTERVAL_S:g} s)",
            f"p50 {statistics.median(latencies):.2f} / max {max(latencies):.2f} s",
            "target < 5 s",
        )
    )

    width = max(len(row[0]) for row in rows)
    print(f"\n{'measure':<{width}}  {'result':<28}  note")
    for name, result, note in rows:
        print(f"{name:<{width}}  {result:<28}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
