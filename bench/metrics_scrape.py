"""Cost of one scrape of /metrics (issue 17, goal < 50 ms) with 3 gunicorn workers and a Celery worker
(prefork, 2 children) writing to one multiprocess directory, as deployed: the scrape merges every
process's file and reads the broker, the database and /proc.

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/metrics_scrape.py
    ... bench/metrics_scrape.py --scrapes 100 --traffic-seconds 10

First every worker gets traffic on several routes (jobs list, templates, 404s, health) and the Celery
worker runs tasks, so the files hold the series of a live process; then N scrapes one after the other.
GET /healthz of the same server, timed the same way in between, is the reference: on a shared machine
the scrape's time over it is steadier than its milliseconds.
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
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import PASSWORD, prepare  # noqa: E402 - after the path
from bench.common import WEB_WORKERS, percentiles, start_gunicorn, table  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
TASK = "platform_core.tasks.scheduled_tasks_dispatch"  # cheap, on the default queue


def get(url: str, *, token: str = "", body: dict | None = None) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - http://127.0.0.1 only
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def timed_get(url: str) -> tuple[float, int]:
    start = time.perf_counter()
    status, body = get(url)
    elapsed = (time.perf_counter() - start) * 1000
    assert status == 200, (url, status, body[:300])
    return elapsed, len(body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scrapes", type=int, default=50)
    parser.add_argument("--traffic-seconds", type=float, default=10)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--web-workers", type=int, default=WEB_WORKERS)
    args = parser.parse_args()
    from scripts.stack import free_port, stop

    email = prepare()
    from config.celery import app  # after prepare(): Django is set up

    metrics_dir = tempfile.mkdtemp(prefix="bench-scrape-metrics-")
    log_path = Path(tempfile.mkstemp(prefix="bench-scrape-", suffix=".log")[1])
    env = {
        **os.environ, "DJANGO_DEBUG": "false", "DB_POOL_MIN_SIZE": "2", "DB_POOL_MAX_SIZE": "10",
        "PROMETHEUS_MULTIPROC_DIR": metrics_dir, "LOG_FORMAT": "json", "METRICS_TOKEN": "",
        "RATE_LIMIT_OVERRIDES": '{"user": "1000000000/15m"}',
    }  # fmt: skip
    log = log_path.open("ab")
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    scrapes: list[float] = []
    health: list[float] = []
    try:
        port = free_port()
        web = start_gunicorn("config.wsgi", port=port, workers=args.web_workers, env=env, output=log)
        worker = subprocess.Popen(
            [str(ROOT / ".venv/bin/celery"), "--app", "config", "worker", "--queues", "default", "--concurrency",
             "2", "--loglevel", "WARNING", "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=env, stdout=log, stderr=log,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        status, body = get(f"{base}/api/v1/auth/token/", body={"email": email, "password": PASSWORD})
        assert status == 200, body
        token = json.loads(body)["access"]
        for _ in range(args.tasks):
            app.send_task(TASK, queue="default")
        deadline = time.monotonic() + args.traffic_seconds
        while time.monotonic() < deadline:  # every web worker serves each route a few times
            for path in ("/api/v1/jobs/", "/api/v1/business-case/templates", "/api/v1/auth/me/"):
                assert get(base + path, token=token)[0] == 200, path
            get(f"{base}/no/such/{uuid.uuid4().hex}")
            get(f"{base}/healthz")
            get(f"{base}/readyz")
        time.sleep(2)  # the last tasks finish
        size = 0
        for _ in range(3):  # warm: imports of the scrape path in every worker
            timed_get(f"{base}/metrics")
        for _ in range(args.scrapes):
            elapsed, size = timed_get(f"{base}/metrics")
            scrapes.append(elapsed)
            health.append(timed_get(f"{base}/healthz")[0])
        files = len(os.listdir(metrics_dir))
        series = sum(1 for line in get(f"{base}/metrics")[1].decode().splitlines() if line and line[0] != "#")
    finally:
        if worker is not None:
            stop(worker)
        if web is not None:
            stop(web)
        log.close()
        shutil.rmtree(metrics_dir, ignore_errors=True)

    print(
        f"\ngunicorn -w{args.web_workers} (config/gunicorn.conf.py) + celery worker --concurrency 2 on one metrics "
        f"directory ({files} files), {os.cpu_count()} CPUs (shared machine); {args.scrapes} scrapes of "
        f"{size} bytes, {series} samples (server output: {log_path})"
    )
    (scrape_p50, scrape_p95), (health_p50, health_p95) = percentiles(scrapes), percentiles(health)
    rows = [
        (name, f"{min(ms):.1f}", f"{p50:.1f}", f"{p95:.1f}", f"{max(ms):.1f}")
        for name, ms, p50, p95 in (
            ("GET /metrics", scrapes, scrape_p50, scrape_p95),
            ("GET /healthz (reference)", health, health_p50, health_p95),
        )
    ]
    table("milliseconds per request, one client", ("request", "min", "median", "p95", "max"), rows)
    print(
        f"\nscrape median {scrape_p50:.1f} ms, p95 {scrape_p95:.1f} ms (goal < 50 ms); "
        f"{scrape_p50 / health_p50:.1f}x the median /healthz"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
