"""Failover of `make cluster`'s topology under a bounded steady load, on throwaway servers.

    .venv/bin/python bench/failover.py [--rate 100] [--outage 10]

Phases, each under the same load (GET /api/v1/jobs/ through nginx/TLS at --rate req/s, plus one POST
/api/v1/realtime/ticket/ per 50 GETs):
  1. kill -9 web-1 (the cluster restarts it): failed GETs (must be 0), failed POSTs (in flight only)
  2. kill -9 the WebSocket instance a socket is on: seconds until a new socket (new ticket) gets its snapshot
  3. PostgreSQL stopped --outage s, then started on the same port: answers meanwhile, seconds to recover
  4. Redis stopped --outage s, then started on the same port (AOF on): the same
and in every phase the count of 500s (must be 0). The machine is shared: figures are indicative.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import http.client
import json
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.cluster import Cluster  # noqa: E402
from scripts.stack import free_port, start_postgres  # noqa: E402
from tests.support.servers import PrivatePostgres, PrivateRedis  # noqa: E402

PASSWORD = "bench-password-not-secret-1"  # noqa: S105 - throwaway user on a throwaway database


class Load:
    """`rate` requests/s from a few threads, each answer's status (or 'error') counted per phase."""

    def __init__(self, cluster: Cluster, token: str, rate: float) -> None:
        self.cluster, self.token, self.rate = cluster, token, rate
        self.context = ssl.create_default_context(cafile=str(cluster.cert))
        self.counts: collections.Counter[tuple[str, str]] = collections.Counter()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(8)]

    def request(self, method: str, path: str) -> str:
        conn = http.client.HTTPSConnection("localhost", self.cluster.https_port, context=self.context, timeout=30)
        try:
            conn.request(method, path, headers={"Authorization": f"Bearer {self.token}"})
            response = conn.getresponse()
            body = response.read()
            if response.status == 503:
                return f"503 {json.loads(body)['error'].get('details', {}).get('dependency', '?')}"
            return str(response.status)
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, or cut mid-response
            return f"error {exc.__class__.__name__}"
        finally:
            conn.close()

    def _run(self, index: int) -> None:
        interval = len(self.threads) / self.rate
        n = 0
        while not self.stopping.is_set():
            started = time.monotonic()
            n += 1
            if n % 50 == 0:  # tickets are rate limited per user
                self.counts[("POST", self.request("POST", "/api/v1/realtime/ticket/"))] += 1
            else:
                self.counts[("GET", self.request("GET", "/api/v1/jobs/"))] += 1
            time.sleep(max(0.0, interval - (time.monotonic() - started)))

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def take(self) -> collections.Counter[tuple[str, str]]:
        counts, self.counts = self.counts, collections.Counter()
        return counts

    def stop(self) -> None:
        self.stopping.set()


def wait_ok(load: Load, timeout: float = 120) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if load.request("GET", "/api/v1/jobs/") == "200":
            return time.monotonic() - started
        time.sleep(0.2)
    return float("inf")


def socket_failover(cluster: Cluster, load: Load) -> float:
    """Open a socket, kill -9 its instance, then time a new socket's snapshot (a client reconnecting)."""
    from websockets.asyncio.client import connect

    def ticket_url() -> str:
        while True:
            conn = http.client.HTTPSConnection("localhost", cluster.https_port, context=load.context, timeout=30)
            conn.request("POST", "/api/v1/realtime/ticket/", headers={"Authorization": f"Bearer {load.token}"})
            body = json.loads(conn.getresponse().read())
            if "url" in body:
                return f"wss://localhost:{cluster.https_port}{body['url']}"
            print(f"ticket refused: {body}", flush=True)
            time.sleep(1)

    async def scenario() -> float:
        async with connect(ticket_url(), ssl=load.context, open_timeout=30) as ws:
            await ws.recv()
            victim = cluster.service("ws-1")
            for index, port in enumerate(cluster.ws_ports, start=1):  # the instance holding the socket
                ss = ["ss", "-Htn", "state", "established", f"sport = :{port}"]
                if subprocess.run(ss, capture_output=True, text=True).stdout.strip():
                    victim = cluster.service(f"ws-{index}")
            killed = time.monotonic()
            assert victim.proc is not None
            victim.proc.send_signal(signal.SIGKILL)
            victim.proc.wait()
        while True:
            try:
                async with connect(ticket_url(), ssl=load.context, open_timeout=10) as ws:
                    if json.loads(await ws.recv())["type"] == "snapshot":
                        return time.monotonic() - killed
            except Exception:
                await asyncio.sleep(0.2)

    return asyncio.run(scenario())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--outage", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=10, help="load before and after each event")
    parser.add_argument("--port-base", type=int, default=0, help="nginx/web/ws on base..base+5 (default: free ports)")
    args = parser.parse_args()
    ports = [args.port_base + i for i in range(6)] if args.port_base else [free_port() for _ in range(6)]

    data = Path(tempfile.mkdtemp(prefix="mp-failover-"))
    print(f"failover at {args.rate:.0f} req/s target (shared machine: indicative)\n", flush=True)
    print(f"| {'phase':36} | {'answers (method status: count)':60} | note |")
    print(f"|{'-' * 38}|{'-' * 62}|------|", flush=True)
    with ExitStack() as stack:
        db_url = start_postgres(data, durable=True, databases=["platform"], stack=stack) + "/platform"
        redis = PrivateRedis.durable(data)  # AOF on: what the broker held survives the restart
        stack.callback(redis.stop)
        redis_url = redis.url
        cluster = Cluster(
            data=data / "cluster", database_url=db_url, redis_url=redis_url, https_port=ports[0], http_port=ports[1],
            web_ports=ports[2:4], ws_ports=ports[4:6], workers=False,
        )  # fmt: skip
        stack.callback(cluster.stop)
        cluster.start()
        supervising = threading.Event()

        def supervise() -> None:
            while not supervising.is_set():
                cluster.supervise_once()
                time.sleep(0.5)

        threading.Thread(target=supervise, daemon=True).start()
        stack.callback(supervising.set)
        env = cluster.app_env(cluster.pgbouncer_url)
        subprocess.run([sys.executable, "manage.py", "shell", "-c",
                        "from tests.platform_core.factories import UserFactory; "
                        f"UserFactory(email='failover@example.com', password='{PASSWORD}')"],
                       cwd=ROOT, env={**env, "DJANGO_ENV": "test"}, check=True)  # fmt: skip
        conn = http.client.HTTPSConnection(
            "localhost", cluster.https_port, context=ssl.create_default_context(cafile=str(cluster.cert))
        )
        conn.request("POST", "/api/v1/auth/token/", body=json.dumps({"email": "failover@example.com",
                     "password": PASSWORD}), headers={"Content-Type": "application/json"})  # fmt: skip
        token = json.loads(conn.getresponse().read())["access"]
        load = Load(cluster, token, args.rate)
        load.start()
        time.sleep(args.seconds)
        show(("steady", summary(load.take()), ""))

        victim = cluster.service("web-1")
        assert victim.proc is not None
        victim.proc.send_signal(signal.SIGKILL)
        time.sleep(args.seconds)
        show(("kill -9 web-1", summary(load.take()), f"restarted {victim.restarts}x"))

        took = socket_failover(cluster, load)
        show(("kill -9 the socket's ws instance", summary(load.take()), f"new socket's snapshot after {took:.1f} s"))

        postgres = PrivatePostgres(url=db_url, pgdata=data / "pgdata")
        postgres.stop()
        time.sleep(args.outage)
        postgres.start()
        recovered = wait_ok(load)
        time.sleep(args.seconds)
        show(
            (f"PostgreSQL down {args.outage:.0f} s", summary(load.take()), f"200 again {recovered:.1f} s after restart")
        )

        redis.stop()
        time.sleep(args.outage)
        redis.start()
        recovered = wait_ok(load)
        time.sleep(args.seconds)
        show((f"Redis down {args.outage:.0f} s", summary(load.take()), f"200 again {recovered:.1f} s after restart"))
        load.stop()

    return 0


def show(row: tuple[str, str, str]) -> None:
    """One table row as soon as its phase is over (a later phase failing keeps the earlier figures)."""
    phase, answers, note = row
    print(f"| {phase:36} | {answers:60} | {note} |", flush=True)


def summary(counts: collections.Counter[tuple[str, str]]) -> str:
    return ", ".join(f"{method} {status}: {n}" for (method, status), n in sorted(counts.items()))


if __name__ == "__main__":
    sys.exit(main())
