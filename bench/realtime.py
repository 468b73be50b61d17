"""WebSocket load: N sockets on /ws/, per-user job events and broadcasts to every socket.

Starts the WebSocket server itself (as config/supervisord.conf does) on a free port, against the
database and Redis of the environment, so run it through the stack script:

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/realtime.py
    ... bench/realtime.py --sockets 2000 --server daphne --clients 2 --events 2000 --broadcasts 20

Phases: connect N sockets (one user and ticket each, all of one customer); per-user job events
published with platform_core.events.job_event_publish (what Celery workers do); broadcasts through
the realtime hub (realtime.services.broadcast_publish: one Redis PUBLISH, fanned out in memory by
each server process); and, as the baseline of the same run, the same broadcast as a plain
Channels group_send to the customer group every socket joined. Latency is from the event's "at"
(stamped just before publishing) to its receipt by the client. Clients run in their own processes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Tickets are issued up front, and 2,000 handshakes take longer than a real client's 30 s.
os.environ["REALTIME_TICKET_TTL_SECONDS"] = "900"

PER_USER, HUB, GROUP = "job.progress", "announcement", "bench.group"


# --- client processes -----------------------------------------------------------------------


def client_main(url: str, tickets: list[str], handshakes: int, counters: Any, conn: Any) -> None:
    raise_fd_limit()
    try:  # the clients share the 2 cores with the server: spend less of them
        from uvloop import run
    except ImportError:
        from asyncio import run  # type: ignore[assignment]
    run(_client(url, tickets, handshakes, counters, conn))


async def _client(url: str, tickets: list[str], handshakes: int, counters: Any, conn: Any) -> None:
    connected, failed, received = counters
    from websockets.asyncio.client import connect

    latencies: dict[str, list[float]] = {}
    failures: list[str] = []
    gate = asyncio.Semaphore(handshakes)
    sockets = []

    async def reader(ws: Any) -> None:
        async for raw in ws:
            now = time.time()
            event = json.loads(raw)
            kind = event.get("type")
            if kind in (PER_USER, HUB, GROUP):
                latencies.setdefault(kind, []).append((now - datetime.fromisoformat(event["at"]).timestamp()) * 1000)
                with received.get_lock():
                    received.value += 1

    async def open_one(ticket: str) -> None:
        async with gate:
            try:
                ws = await connect(f"{url}?ticket={ticket}", open_timeout=60, ping_interval=None, max_queue=None)
                first = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if first.get("type") != "snapshot":
                    raise RuntimeError(f"first frame was {first}")
            except Exception as exc:
                failures.append(repr(exc))
                with failed.get_lock():
                    failed.value += 1
                return
        sockets.append(ws)
        asyncio.get_running_loop().create_task(reader(ws))
        with connected.get_lock():
            connected.value += 1

    await asyncio.gather(*(open_one(t) for t in tickets))
    # Wait for the parent's "report" (blocking pipe read off the event loop), then answer.
    await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    conn.send({"latencies": latencies, "failures": failures[:5], "failed": len(failures)})
    for ws in sockets:
        await ws.close()


# --- the parent: platform, data, publishing ------------------------------------------------


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port() -> int:
    from scripts.stack import free_port as _free_port

    return _free_port()


def stop(proc: subprocess.Popen[bytes], timeout: float) -> None:
    from scripts.stack import stop as _stop

    _stop(proc, timeout=timeout)


def start_server(kind: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    from scripts.stack import wait_for_port

    bind = ["--host" if kind == "uvicorn" else "--bind", "127.0.0.1", "--port", str(port)]
    if kind == "daphne":  # as config/supervisord.conf runs it
        command = ["daphne", *bind, "--ping-interval", "20", "--ping-timeout", "30", "config.asgi:application"]
    else:
        command = ["uvicorn", *bind, "--workers", str(workers), "--ws-ping-interval", "20", "--ws-ping-timeout", "30",
                   "--no-access-log", "--log-level", "warning", "config.asgi:application"]  # fmt: skip
    command[0] = str(Path(sys.executable).parent / command[0])
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)  # access log
    wait_for_port(port, proc=proc, name=kind)
    return proc


def setup_data(n: int) -> tuple[list[Any], list[str]]:
    import django

    django.setup()
    from django.core.management import call_command

    from platform_core.models import Customer, Job, User
    from realtime.services import ticket_issue

    call_command("migrate", verbosity=0)
    run_id = uuid.uuid4().hex[:8]
    customer = Customer.objects.create(name=f"Bench {run_id}", slug=f"bench-{run_id}")
    unusable = "!"  # sockets authenticate with tickets; nobody logs in as a bench user
    users = User.objects.bulk_create(
        [User(email=f"bench-{run_id}-{i}@example.com", customer=customer, password=unusable) for i in range(n)]
    )
    jobs = Job.objects.bulk_create(
        [Job(kind="bench", task_name="bench.none", customer=customer, user=u, status=Job.Status.RUNNING) for u in users]
    )
    return jobs, [ticket_issue(user=u) for u in users]


def wait_until(counter: Any, expected: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and sum(c.value for c in counter) < expected:
        time.sleep(0.05)
    got = sum(c.value for c in counter)
    if got < expected:
        log(f"timed out: {got} of {expected}")
    return got


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def percentiles(values: list[float]) -> str:
    if not values:
        return "—"
    q = statistics.quantiles(values, n=100, method="inclusive")
    return f"{q[49]:.0f} / {q[94]:.0f} / {q[98]:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="uvicorn")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (daphne runs one)")
    parser.add_argument("--clients", type=int, default=2, help="client processes sharing the sockets")
    parser.add_argument("--handshakes", type=int, default=50, help="concurrent handshakes per client process")
    parser.add_argument("--events", type=int, default=2000, help="per-user job events")
    parser.add_argument("--rate", type=float, default=500, help="per-user events per second")
    parser.add_argument("--broadcasts", type=int, default=20)
    parser.add_argument("--gap", type=float, default=1.5, help="seconds between broadcasts")
    args = parser.parse_args()
    raise_fd_limit()

    jobs, tickets = setup_data(args.sockets)
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.utils import timezone

    from platform_core.events import customer_group, job_event_publish
    from realtime.services import broadcast_publish

    port = free_port()
    server = start_server(args.server, port, args.workers)
    ctx = mp.get_context("spawn")  # clients share nothing with this process's DB connections
    procs, pipes, connected, failed_connects, received = [], [], [], [], []
    try:
        started = time.monotonic()
        for i in range(args.clients):
            parent_end, child_end = ctx.Pipe()
            c, f, r = ctx.Value("i", 0), ctx.Value("i", 0), ctx.Value("i", 0)
            proc = ctx.Process(
                target=client_main,
                args=(f"ws://127.0.0.1:{port}/ws/", tickets[i :: args.clients], args.handshakes, (c, f, r), child_end),
            )
            proc.start()
            procs.append(proc)
            pipes.append(parent_end)
            connected.append(c)
            failed_connects.append(f)
            received.append(r)
        wait_until(connected + failed_connects, args.sockets, timeout=600)
        open_sockets = sum(c.value for c in connected)
        connect_seconds = time.monotonic() - started
        log(f"{open_sockets} sockets open in {connect_seconds:.1f} s")
        time.sleep(2)  # let the last joins settle

        # Per-user job events, as workers publish them (user.<id> and job.<id> groups).
        base = sum(r.value for r in received)
        first = time.monotonic()
        for i in range(args.events):
            job = jobs[i % len(jobs)]
            job.progress = 50
            job_event_publish(job)
            time.sleep(max(0.0, first + (i + 1) / args.rate - time.monotonic()))
        wait_until(received, base + args.events, timeout=60)
        log("per-user events done")

        # Broadcasts through the hub, then the same through a plain Channels group (the baseline).
        for _ in range(args.broadcasts):
            base = sum(r.value for r in received)
            broadcast_publish(type=HUB, message="bench")
            wait_until(received, base + open_sockets, timeout=10)
            time.sleep(args.gap)
        log("hub broadcasts done")
        layer = get_channel_layer()
        for _ in range(args.broadcasts):
            base = sum(r.value for r in received)
            event = {"type": GROUP, "eventId": uuid.uuid4().hex, "at": timezone.now().isoformat()}
            async_to_sync(layer.group_send)(customer_group(jobs[0].customer_id), {"type": "job.event", "event": event})
            wait_until(received, base + open_sockets, timeout=10)
            time.sleep(args.gap)
        log("group broadcasts done")

        results: dict[str, list[float]] = {PER_USER: [], HUB: [], GROUP: []}
        failed, samples = 0, []
        for pipe in pipes:
            pipe.send("report")
            report = pipe.recv()
            for kind, values in report["latencies"].items():
                results[kind].extend(values)
            failed += report["failed"]
            samples += report["failures"]
    finally:
        for proc in procs:
            proc.join(30)
        stop(server, timeout=5)

    workers = f" --workers {args.workers}" if args.server == "uvicorn" else ""
    print(f"\nbench/realtime.py: {args.server}{workers}, {os.cpu_count()} cores, {args.clients} client processes")
    print(f"sockets: {open_sockets}/{args.sockets} open, {failed} failed connects, {connect_seconds:.1f} s to connect")
    for sample in samples:
        print(f"  failure: {sample}")
    print("\n| events | sent | received | expected | p50 / p95 / p99 ms |\n|---|---:|---:|---:|---|")
    rows = [
        (f"per-user job events ({args.rate:.0f}/s)", args.events, PER_USER, args.events),
        (f"broadcast to all, realtime hub (x{args.broadcasts})", args.broadcasts, HUB, args.broadcasts * open_sockets),
        (f"broadcast to all, Channels group_send (x{args.broadcasts})", args.broadcasts, GROUP,
         args.broadcasts * open_sockets),
    ]  # fmt: skip
    for label, sent, kind, expected in rows:
        print(f"| {label} | {sent} | {len(results[kind])} | {expected} | {percentiles(results[kind])} |")
    return 0 if failed == 0 and open_sockets == args.sockets else 1


if __name__ == "__main__":
    sys.exit(main())
