"""Inbound webhook intake: accepted/s and latency at 50 and 200 concurrent senders, against a real
gunicorn (sync workers, as deployed), beside the baseline of the same run: a bare Django view
inserting one row per POST (bench/webhooks_app.py). Then a Celery worker drains the queue and
every accepted webhook-id is checked: stored, and processed once.

Run it with its backing services (fresh PostgreSQL, committing durably, and Redis) and wrk
(`apt-get install wrk`), the load generator of perf-baseline.md:

    .venv/bin/python scripts/stack.py --ephemeral --durable -- .venv/bin/python bench/webhooks.py
    ... bench/webhooks.py --seconds 15 --warmup 5 --concurrency 50 200

Senders are Make.com `progress_milestone` callbacks of ~1 KB (the baseline posts the same bodies),
each signed beforehand with the standardwebhooks package and with a webhook-id of its own; wrk
counts the 202s. gunicorn's sync workers close each connection, as in perf-baseline.md. wrk
shares the machine's cores with the server.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import WEB_WORKERS, WRK_THREADS, start_gunicorn, wrk  # noqa: E402 - after the path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

SECRET = "whsec_" + "YmVuY2gtd2ViaG9va3Mtc2VjcmV0LWtleS0zMmJ5dGVz"  # base64 of a 32-byte bench key
CUSTOMERS = 50


# --- senders: wrk, each request prepared and signed beforehand ----------------------------------------
# Thread n of wrk sends lines n, n + threads, ... of the file (id, timestamp, signature, body), each
# once; it counts the 202s and writes the webhookId each one acknowledged to <accepted file>.<n>.
# A run that outlasts its file repeats its last request (a duplicate, answered 200).
SENDER = """
local next_tid = 0
setup = function(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end
init = function(args)
  local path, file, threads = args[1], args[2], tonumber(args[3])
  requests, count, sent, accepted = {}, 0, 0, 0
  accepted_ids = io.open(args[4] .. "." .. tid, "w")
  accepted_ids:setvbuf("line")
  local i = 0
  for line in io.lines(file) do
    if i % threads == tid then
      local id, ts, sig, body = line:match("^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)$")
      local headers = {["Content-Type"] = "application/json"}
      if id ~= "" then
        headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"] = id, ts, sig
      end
      count = count + 1
      requests[count] = wrk.format("POST", path, headers, body)
    end
    i = i + 1
  end
end
request = function()
  sent = math.min(sent + 1, count)
  return requests[sent]
end
response = function(status, headers, body)
  if status == 202 then
    accepted = accepted + 1
    local id = body:match('"webhookId": *"([^"]+)"')
    if id then accepted_ids:write(id, "\\n") end
  end
end
"""
RATE_CEILING = 4000  # requests a file holds per second of run: above anything 2 cores serve


def _body(customer_id: int, n: int) -> str:
    return json.dumps({
        "webhookType": "progress_milestone",
        "customerId": f"CUST_{customer_id}",
        "processedContent": {"milestone": "initial_setup", "action": "profile_completed"},
        "data": {"sequence": n, "note": "x" * 820},
    })  # fmt: skip


def write_requests(path: Path, *, target: str, prefix: str, count: int, customers: list[int]) -> None:
    """`count` ~1 KB Make.com progress_milestone callbacks, each with its own webhook-id, signed now."""
    from standardwebhooks.webhooks import Webhook

    signer, at = Webhook(SECRET), datetime.now(tz=UTC)
    with path.open("w") as out:
        for n in range(count):
            body = _body(customers[n % len(customers)], n)
            if target == "webhooks":
                webhook_id = f"{prefix}_{n}"
                signature = signer.sign(msg_id=webhook_id, timestamp=at, data=body)
                out.write(f"{webhook_id}\t{int(at.timestamp())}\t{signature}\t{body}\n")
            else:
                out.write(f"\t\t\t{body}\n")


def run_load(
    port: int, target: str, concurrency: int, seconds: float, customers: list[int], server_pids: list[int]
) -> dict:
    """One wrk run: its totals, and the webhook-ids the server acknowledged with a 202."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    requests, accepted = workdir / "requests.tsv", workdir / "accepted"
    write_requests(
        requests, target=target, prefix=f"msg_{uuid.uuid4().hex[:12]}", count=int(RATE_CEILING * seconds),
        customers=customers,
    )  # fmt: skip
    path = "/bench/insert/" if target == "baseline" else "/api/v1/webhooks/make/"
    try:
        result = wrk(
            f"http://127.0.0.1:{port}{path}", seconds=seconds, connections=concurrency, script=SENDER,
            workers=server_pids, script_args=[path, str(requests), str(WRK_THREADS), str(accepted)],
        )  # fmt: skip
        result["accepted_ids"] = [
            line for n in range(WRK_THREADS) for line in Path(f"{accepted}.{n}").read_text().splitlines()
        ]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["target"] = target
    result["ok_rps"] = (result["requests"] - result["non2xx"]) / (result["us"] / 1e6)
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
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--web-workers", type=int, default=WEB_WORKERS)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--drain-timeout", type=float, default=600.0)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        parser.error("run through scripts/stack.py (see the docstring)")
    if not shutil.which("wrk"):
        parser.error("wrk is needed: apt-get install wrk")

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
    runs: list[dict] = []  # every run that sent webhooks, warm-ups included: each accepted id is checked
    try:
        for concurrency in args.concurrency:
            for target in ("baseline", "webhooks"):
                runs.append(run_load(port, target, concurrency, args.warmup, customers, server_pids))
                result = run_load(port, target, concurrency, args.seconds, customers, server_pids)
                rows.append((concurrency, target, result))
                runs.append(result)
                print(f"  {target:9} c={concurrency:<4} {result['ok_rps']:8.0f}/s  p95 {result['p95'] / 1000:.0f} ms",
                      flush=True)  # fmt: skip
    finally:
        stop(server)

    from integrations.webhooks.models import InboundWebhook

    runs = [run for run in runs if run["target"] == "webhooks"]
    accepted = {webhook_id for run in runs for webhook_id in run["accepted_ids"]}
    assert len(accepted) == sum(run["accepted"] for run in runs), "an acknowledged id went unrecorded"
    stored_ids = set(InboundWebhook.objects.filter(source="make").values_list("webhook_id", flat=True))
    lost = len(accepted - stored_ids)
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
    processed = InboundWebhook.objects.filter(status=InboundWebhook.Status.PROCESSED, attempts=1).count()
    failed = InboundWebhook.objects.filter(status=InboundWebhook.Status.FAILED).count()

    print()
    print(f"gunicorn sync -w{args.web_workers}, {os.cpu_count()} CPUs, wrk -t{WRK_THREADS}, {args.seconds:.0f} s per "
          f"run after a {args.warmup:.0f} s warm-up run, ~1 KB bodies, PostgreSQL {durability()}")  # fmt: skip
    print()
    print("| senders | endpoint | 2xx/s | p50 ms | p95 ms | p99 ms | non-2xx | errors | ratio to baseline "
          "| server CPU ms/req | CPU ratio |")  # fmt: skip
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for concurrency, target, r in rows:
        base = next(b for c, t, b in rows if c == concurrency and t == "baseline")
        name = "bare view, 1 row insert" if target == "baseline" else "POST /api/v1/webhooks/make/"
        print(f"| {concurrency} | {name} | {r['ok_rps']:,.0f} | {r['p50'] / 1000:.0f} | {r['p95'] / 1000:.0f} | "
              f"{r['p99'] / 1000:.0f} | {r['non2xx']} | {r['errors']} | {r['ok_rps'] / base['ok_rps']:.2f} | "
              f"{r['cpu_ms']:.2f} | {r['cpu_ms'] / base['cpu_ms']:.2f} |")  # fmt: skip
    print()
    print(f"accepted (202, warm-ups included): {len(accepted):,}; of them stored: {len(accepted) - lost:,}; "
          f"lost: {lost}; stored in all: {len(stored_ids):,} (the rest were in flight when wrk stopped)")  # fmt: skip
    print(f"processed exactly once by a {args.worker_concurrency}-process worker: {processed:,} "
          f"(failed {failed}) in {drain_seconds:.1f} s = {processed / max(drain_seconds, 0.001):,.0f}/s")  # fmt: skip
    return 0 if lost == 0 and processed == len(stored_ids) else 1


def durability() -> str:
    """How the server commits: a benchmark of durable intake needs fsync on."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('fsync'), current_setting('synchronous_commit')")
        fsync, synchronous = cursor.fetchone()
    return f"fsync={fsync} synchronous_commit={synchronous}"


if __name__ == "__main__":
    sys.exit(main())
