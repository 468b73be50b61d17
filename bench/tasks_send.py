"""What sending one Celery task costs the process that sends it (a web worker, for every job and e-mail):
CPU per send_task and Redis commands per send, Celery's defaults for a task sent by name beside the
options platform_core.services.tasks.task_enqueue passes (no result subscription, plain argument repr).

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/tasks_send.py
    ... bench/tasks_send.py --sends 2000 --rounds 5

Messages go to a queue no worker reads, emptied at the end. Rounds alternate the two ways, so drift on
a shared machine hits both; the table gives the median of the rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

QUEUE = f"bench-tasks-send-{uuid.uuid4().hex[:8]}"
KWARGS = {  # an assessment_completed e-mail, as assessment_submit queues it
    "template": "assessment_completed",
    "to": "staff",
    "context": {
        "respondent_email": "dana@acme.example", "name": "Dana", "company_name": "Acme Robotics",
        "overall_score": 72, "buyer_score": 64, "admin_url": "https://api.example.com/admin/assessments/1/change/",
    },
}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sends", type=int, default=1000, help="tasks sent per way and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    import redis
    from celery import current_app
    from django.conf import settings

    from platform_core.services.tasks import send_options

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    # commandstats are per server; broker and results often share one, in other databases.
    servers: dict[tuple[Any, ...], redis.Redis] = {}
    for url in (settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND):
        server = redis.Redis.from_url(url)
        params = server.connection_pool.connection_kwargs
        servers.setdefault((params.get("host"), params.get("port"), params.get("path")), server)
    ways: dict[str, dict[str, Any]] = {"Celery's defaults": {}, "task_enqueue's options": send_options([], KWARGS)}

    def commands() -> int:
        return sum(int(row["calls"]) for server in servers.values() for row in server.info("commandstats").values())

    def one_round(options: dict[str, Any]) -> tuple[float, float]:
        before, started = commands(), time.process_time()
        for _ in range(args.sends):
            current_app.send_task("bench.nothing", kwargs=KWARGS, queue=QUEUE, task_id=uuid.uuid4().hex, **options)
        cpu_ms = (time.process_time() - started) / args.sends * 1e3
        return cpu_ms, (commands() - before - len(servers)) / args.sends  # less the first INFO of each server

    for options in ways.values():  # warm up: connections, the result consumer
        one_round(options)
    measured: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
    try:
        for _ in range(args.rounds):
            for name, options in ways.items():
                measured[name].append(one_round(options))
    finally:
        broker.delete(QUEUE)

    print(f"\n{args.sends} sends x {args.rounds} rounds, median of the rounds\n")
    print("| way | CPU ms per send | Redis commands per send |")
    print("|---|---:|---:|")
    for name, rows in measured.items():
        cpu = statistics.median(row[0] for row in rows)
        calls = statistics.median(row[1] for row in rows)
        print(f"| {name} | {cpu:.3f} | {calls:.1f} |")
    base, new = (statistics.median(row[0] for row in rows) for rows in measured.values())
    print(f"\nratio: task_enqueue's options cost {new / base:.2f}x the CPU of Celery's defaults")
    return 0


if __name__ == "__main__":
    sys.exit(main())
