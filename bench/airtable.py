"""Airtable sync at Airtable's real limits: a fake Airtable (tests/fakes/airtable_server.py) that
answers 429 past 5 requests/s per base and 50/s per token, and real Celery workers syncing.

Runs against the database and Redis of the environment, so start it through the stack script:

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/airtable.py
    ... bench/airtable.py --records 10000 --changes 2000 --workers 2

Two customers share one base (a table each, as an agency's base would), so their two sync jobs run
on two workers at once and share the base's 5 requests/s:
- pull: `--records` legacy assessment results (half per table) into the platform, full resync;
- incremental: 10 records edited in Airtable, then an incremental pull of one table;
- push: `--changes` platform changes (half per customer) upserted back, 10 per request.
Reported: requests over the limit and 429s as the fake counts them (goal 0), the most requests the
fake saw for the base within any one second (goal <= 5), and throughput against what the limit
allows (5 x 100 records/s pulling, 5 x 10 pushing; goal >= 90%), from the first request of a phase
to its last answer. The limit is the baseline: the ratio is what matters on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.common import cpu_seconds  # noqa: E402 - after the path

BASE = "appBENCH000000001"
TABLES = ("Assessment Results", "Assessment Results (client B)")


def run(args: argparse.Namespace) -> dict[str, object]:
    from tests.fakes.airtable_server import LEGACY_TABLES, FakeAirtable

    tokens = ("patBENCH.customer-a", "patBENCH.customer-b")
    fake = FakeAirtable(tokens=tokens, base_rps=5, token_rps=50).start()
    for table in TABLES:
        fake.add_table(BASE, table, LEGACY_TABLES["Assessment Results"])
    os.environ.update(AIRTABLE_API_URL=fake.url, AIRTABLE_BASE_RPS="5", AIRTABLE_TOKEN_RPS="50")  # noqa: S106

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from integrations.airtable.limiter import KEY_PREFIX, airtable_redis
    from integrations.airtable.models import AirtableSyncRun
    from integrations.airtable.outbox import airtable_change_enqueue
    from integrations.airtable.services import airtable_connection_create, airtable_sync_start
    from platform_core.models import Customer, User
    from tests.support.worker import CeleryWorker

    redis = airtable_redis()
    if stale := list(redis.scan_iter(f"{KEY_PREFIX}*")):
        redis.delete(*stale)
    connections, users = [], []
    for i, (table, token) in enumerate(zip(TABLES, tokens, strict=True)):
        customer = Customer.objects.create(name=f"Airtable bench {i}", slug=f"airtable-bench-{i}-{time.time_ns()}")
        user = User.objects.create_user(f"airtable-bench-{i}-{time.time_ns()}@example.com", customer=customer)
        connections.append(airtable_connection_create(
            customer=customer, user=user, base_id=BASE, token=token,
            tables=[{"entity": "assessment_result", "table_name": table}],
        ))  # fmt: skip
        users.append(user)
        per_table = args.records // len(TABLES)
        fake.seed(BASE, table, [
            {"Session ID": f"{i}-s{n}", "Overall Score": 40 + n % 60, "Buyer Score": 50, "Tech Score": 30,
             "Qualification": "Qualified", "User Info": json.dumps({"company": f"Company {n}"}),
             "Product Info": json.dumps({"product_name": f"Product {n}"})}
            for n in range(per_table)
        ])  # fmt: skip

    def worker_cpu() -> float:
        return cpu_seconds([pid for w in workers if w.proc for pid in [w.proc.pid, *w.child_pids()]])

    def phase(direction: str, mode: str, which: list[int]) -> dict[str, Any]:
        fake.reset_counters()
        cpu_before = worker_cpu()
        runs = [
            airtable_sync_start(connection=connections[i], user=users[i], direction=direction, mode=mode) for i in which
        ]
        while AirtableSyncRun.objects.filter(pk__in=[r.pk for r in runs], finished_at__isnull=True).exists():
            time.sleep(0.2)
        done = list(AirtableSyncRun.objects.filter(pk__in=[r.pk for r in runs]))
        log = fake.requests_for(BASE)
        data = [r for r in log if r.method in ("GET", "POST", "PATCH") and "/meta/" not in r.path]
        span = (max(r.at for r in log) - min(r.at for r in log)) if log else 0.0
        return {
            "status": ",".join(sorted({r.status for r in done})),
            "records": sum(r.records for r in data if r.status == 200),
            "requests": len(log),
            "over_limit": fake.over_limit_base + fake.over_limit_token,
            "429s": fake.status_counts[429],
            "max_per_second": fake.max_per_second(BASE),
            "span": span + 1.0 / 5,  # the last request's own fifth of a second
            "wall": max((r.finished_at - r.started_at).total_seconds() for r in done if r.finished_at),
            "errors": sum(r.errors for r in done),
            "cpu": worker_cpu() - cpu_before,
        }

    env = {k: v for k, v in os.environ.items() if k.startswith(("AIRTABLE_", "DJANGO_", "DATABASE", "REDIS"))}
    workers: list[CeleryWorker] = []
    workers.extend(CeleryWorker(queues="airtable", concurrency=1, env=env).start() for _ in range(args.workers))
    try:
        pull = phase("pull", "full", [0, 1])
        time.sleep(1.1)
        for n in range(10):
            fake.edit(BASE, TABLES[0], where=("Session ID", f"0-s{n * 97}"),
                      fields={"Product Info": json.dumps({"product_name": f"edited {n}"})})  # fmt: skip
        incremental = phase("pull", "incremental", [0])
        per_customer = args.changes // 2
        for i, connection in enumerate(connections):
            for n in range(per_customer):
                airtable_change_enqueue(
                    customer=connection.customer_id, entity="assessment_result", key=f"{i}-s{n}",
                    fields={"product_info": {"product_name": f"pushed {n}"}, "overall_score": 90},
                )  # fmt: skip
        push = phase("push", "incremental", [0, 1])
    finally:
        for worker in workers:
            worker.stop()
        fake.stop()
    return {"pull": pull, "incremental": incremental, "push": push}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000, help="records to pull (half per table)")
    parser.add_argument("--changes", type=int, default=2_000, help="platform changes to push (half per customer)")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    args = parser.parse_args()
    r = run(args)
    pull, inc, push = r["pull"], r["incremental"], r["push"]
    assert isinstance(pull, dict) and isinstance(inc, dict) and isinstance(push, dict)
    pull_rate, push_rate = pull["records"] / pull["span"], push["records"] / push["span"]
    print(f"\nAirtable sync vs a fake at Airtable's limits (5 req/s per base, 50 per token), {args.workers} workers")
    rows = [
        ("pull: records / requests", f"{pull['records']:,} / {pull['requests']}", ""),
        ("pull: records/s (vs 500 allowed)", f"{pull_rate:.0f} ({pull_rate / 500:.0%})", ">= 90%"),
        ("pull: wall time of the runs (s)", f"{pull['wall']:.1f}", ""),
        ("incremental (10 of 10k changed): requests", f"{inc['requests']}", "<= 3"),
        ("incremental: records read", f"{inc['records']}", "10"),
        ("push: records / requests", f"{push['records']:,} / {push['requests']}", ""),
        ("push: records/s (vs 50 allowed)", f"{push_rate:.1f} ({push_rate / 50:.0%})", ">= 90%"),
        ("push: wall time of the runs (s)", f"{push['wall']:.1f}", ""),
        ("requests over the limit (fake counted)",
         f"{pull['over_limit']} / {inc['over_limit']} / {push['over_limit']}", "0"),
        ("429s received", f"{pull['429s']} / {inc['429s']} / {push['429s']}", "0"),
        ("most requests in one second (per base)",
         f"{pull['max_per_second']} / {inc['max_per_second']} / {push['max_per_second']}", "<= 5"),
        ("record errors", f"{pull['errors']} / {inc['errors']} / {push['errors']}", "0"),
        ("worker CPU per 1,000 records pulled / pushed (s)",
         f"{pull['cpu'] / pull['records'] * 1000:.2f} / {push['cpu'] / push['records'] * 1000:.2f}",
         "< 2 / < 20 keeps up"),
        ("run status", f"{pull['status']} / {inc['status']} / {push['status']}", "succeeded"),
    ]  # fmt: skip
    print(f"{'metric':<46} {'value':>20}  goal")
    for name, value, goal in rows:
        print(f"{name:<46} {value:>20}  {goal}")


if __name__ == "__main__":
    main()
