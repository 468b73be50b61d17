"""Inbound webhook intake: accepted/s and latency at 50 and 200 concurrent senders, against a real
gunicorn (sync, 2 workers, as deployed), beside the baseline of the same run: a bare Django view
inserting one row per POST (bench/webhooks_app.py). Then a Celery worker drains the queue and
every accepted webhook-id is checked: stored, and processed once.

Run it with its backing services (fresh PostgreSQL and Redis):

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/webhooks.py
    ... bench/webhooks.py --seconds 15 --warmup 3 --concurrency 50 200

Senders are Make.com `progress_milestone` callbacks of ~1 KB (the baseline posts the same bodies),
each signed with the standardwebhooks package and a unique webhook-id; one new TCP connection per
request (gunicorn's sync workers close it, as they did in perf-baseline.md). The senders run in
their own process and share the machine's cores with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import cpu_seconds, start_gunicorn  # noqa: E402 - after the path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

SECRET = "whsec_" + "YmVuY2gtd2ViaG9va3Mtc2VjcmV0LWtleS0zMmJ5dGVz"  # base64 of a 32-byte bench key
CUSTOMERS = 50


# --- senders (own process) -------------------------------------------------------------------------
def _body(customer_id: int, n: int) -> bytes:
    return json.dumps({
        "webhookType": "progress_milestone",
        "customerId": f"CUST_{customer_id}",
        "processedContent": {"milestone": "initial_setup", "action": "profile_completed"},
        "data": {"sequence": n, "note": "x" * 820},
    }).encode()  # fmt: skip


def _request(path: str, port: int, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Content-Type: application/json",
        f"Content-Length: {len(body)}", "Connection: close", *(f"{k}: {v}" for k, v in headers.items()),
    ]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _send(port: int, raw: bytes) -> tuple[int, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    status = int((await reader.readline()).split()[1])
    await reader.read()  # Connection: close — the server ends the response
    writer.close()
    return status, time.perf_counter() - started


async def _load(port: int, target: str, concurrency: int, warmup: float, seconds: float, customers: list[int]) -> dict:
    from standardwebhooks.webhooks import Webhook

    signer = Webhook(SECRET)
    path = "/bench/insert/" if target == "baseline" else "/api/v1/webhooks/make/"
    counter = iter(range(10**9))
    start = time.monotonic()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    accepted: list[str] = []
    errors = completed = 0

    async def sender() -> None:
        nonlocal errors, completed
        while (now := time.monotonic()) < stop_at:
            n = next(counter)
            body = _body(customers[n % len(customers)], n)
            headers: dict[str, str] = {}
            webhook_id = f"msg_{uuid.uuid4().hex}"
            if target == "webhooks":
                at = datetime.now(tz=UTC)
                signature = signer.sign(msg_id=webhook_id, timestamp=at, data=body.decode())
                headers = {"webhook-id": webhook_id, "webhook-timestamp": str(int(at.timestamp())),
                           "webhook-signature": signature}  # fmt: skip
            try:
                status, latency = await _send(port, _request(path, port, body, headers))
            except OSError:
                errors += 1
                continue
            completed += 1
            if status == 202 and target == "webhooks":
                accepted.append(webhook_id)  # every accepted id is checked later, warm-up included
            if now >= measure_from:
                latencies.append(latency)
                statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return {"latencies": latencies, "statuses": statuses, "accepted": accepted, "errors": errors,
            "completed": completed}  # fmt: skip


def _load_process(args: tuple, queue: Any) -> None:
    queue.put(asyncio.run(_load(*args)))


def run_load(
    port: int, target: str, concurrency: int, warmup: float, seconds: float, customers: list[int],
    server_pids: list[int],
) -> dict:  # fmt: skip
    cpu_before = cpu_seconds(server_pids)
    queue: Any = mp.get_context("spawn").Queue()
    proc = mp.get_context("spawn").Process(
        target=_load_process, args=((port, target, concurrency, warmup, seconds, customers), queue)
    )
    proc.start()
    result = queue.get()
    proc.join()
    # CPU the server spent per request: steadier than req/s on a machine shared with other work.
    result["cpu_ms"] = (cpu_seconds(server_pids) - cpu_before) * 1000 / max(result["completed"], 1)
    ok = sum(count for status, count in result["statuses"].items() if 200 <= status < 300)
    lat = sorted(result["latencies"]) or [0.0]
    result.update(
        rate=ok / seconds,
        p50=statistics.median(lat) * 1000,
        p95=lat[int(len(lat) * 0.95) - 1] * 1000 if len(lat) > 1 else lat[0] * 1000,
        p99=lat[int(len(lat) * 0.99) - 1] * 1000 if len(lat) > 1 else lat[0] * 1000,
        non_2xx=sum(count for status, count in result["statuses"].items() if not 200 <= status < 300),
    )
    return result


# --- platform processes ------------------------------------------------------------------------------
def platform_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "INBOUND_WEBHOOK_SECRETS": json.dumps({"make": [SECRET]}),
        "DB_POOL_MIN_SIZE": "4",
        "DB_POOL_MAX_SIZE": "20",
        "PYTHONUNBUFFERED": "1",
    }


WORKER_LOG = Path(tempfile.gettempdir()) / "bench-webhooks-worker.log"


def start_worker(concurrency: int) -> subprocess.Popen[bytes]:
    with WORKER_LOG.open("wb") as log:
        return subprocess.Popen(
            [str(ROOT / ".venv/bin/celery"), "--app", "config", "worker", "--queues", "webhooks", "--concurrency",
             str(concurrency), "--loglevel", "INFO", "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=platform_env(), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def prepare() -> list[int]:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=platform_env(), check=True
    )
    import django

    django.setup()
    from django.db import connection

    from platform_core.models import Customer

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_baseline (id bigserial PRIMARY KEY, body jsonb NOT NULL)")
    customers = [
        Customer.objects.create(name=f"Bench {n}", slug=f"bench-{uuid.uuid4().hex[:10]}") for n in range(CUSTOMERS)
    ]
    connection.close()
    return [c.pk for c in customers]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--drain-timeout", type=float, default=600.0)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        parser.error("run through scripts/stack.py (see the docstring)")

    from scripts.stack import free_port, stop

    customers = prepare()
    port = free_port()
    server = start_gunicorn(
        "bench.webhooks_app:application", port=port, workers=args.web_workers, env=platform_env(),
        extra=["--backlog", "2048"],
    )  # fmt: skip
    pgrep = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True)
    server_pids = [int(pid) for pid in pgrep.stdout.split()]
    rows: list[tuple[int, str, dict]] = []
    accepted: list[str] = []
    try:
        for target in ("baseline", "webhooks"):  # first requests of a worker import and connect: not measured
            accepted += run_load(port, target, 10, 0, 2.0, customers, server_pids)["accepted"]
        for concurrency in args.concurrency:
            for target in ("baseline", "webhooks"):
                result = run_load(port, target, concurrency, args.warmup, args.seconds, customers, server_pids)
                rows.append((concurrency, target, result))
                accepted += result["accepted"]
                print(
                    f"  {target:9} c={concurrency:<4} {result['rate']:8.0f}/s  p95 {result['p95']:.0f} ms", flush=True
                )
    finally:
        stop(server)

    from integrations.webhooks.models import InboundWebhook

    stored = InboundWebhook.objects.filter(source="make", webhook_id__in=accepted).count()
    worker = start_worker(args.worker_concurrency)
    drain_start = time.monotonic()
    try:
        deadline = drain_start + args.drain_timeout
        while time.monotonic() < deadline:
            pending = InboundWebhook.objects.exclude(status=InboundWebhook.Status.PROCESSED).count()
            if not pending:
                break
            time.sleep(1)
        drain_seconds = time.monotonic() - drain_start
    finally:
        stop(worker)
    if InboundWebhook.objects.exclude(status=InboundWebhook.Status.PROCESSED).exists():
        print(f"not everything was processed; worker log: {WORKER_LOG}")
    processed = InboundWebhook.objects.filter(
        source="make", webhook_id__in=accepted, status=InboundWebhook.Status.PROCESSED, attempts=1
    ).count()
    failed = InboundWebhook.objects.filter(status=InboundWebhook.Status.FAILED).count()

    print()
    print(f"gunicorn sync -w{args.web_workers}, {os.cpu_count()} CPUs, {args.seconds:.0f} s per run after "
          f"{args.warmup:.0f} s warm-up, ~1 KB bodies, one connection per request")  # fmt: skip
    print()
    print("| senders | endpoint | accepted/s | p50 ms | p95 ms | p99 ms | non-2xx | errors | ratio to baseline "
          "| server CPU ms/req | CPU ratio |")  # fmt: skip
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for concurrency, target, r in rows:
        base = next(b for c, t, b in rows if c == concurrency and t == "baseline")
        name = "bare view, 1 row insert" if target == "baseline" else "POST /api/v1/webhooks/make/"
        print(f"| {concurrency} | {name} | {r['rate']:,.0f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | "
              f"{r['non_2xx']} | {r['errors']} | {r['rate'] / base['rate']:.2f} | {r['cpu_ms']:.2f} | "
              f"{r['cpu_ms'] / base['cpu_ms']:.2f} |")  # fmt: skip
    print()
    total = len(accepted)
    print(f"accepted (202, warm-up included): {total:,}; stored: {stored:,}; lost: {total - stored}")
    print(f"processed exactly once by a {args.worker_concurrency}-process worker: {processed:,} "
          f"(failed {failed}) in {drain_seconds:.1f} s = {processed / max(drain_seconds, 0.001):,.0f}/s")  # fmt: skip
    return 0 if stored == total == processed else 1


if __name__ == "__main__":
    sys.exit(main())
