"""Instrumentation cost: GET /api/v1/jobs/ (bench/api.py's jobs list, 20 rows) served with metrics
(multiprocess mode), SQL timing and JSON request logs ON, beside the same platform with them OFF,
two gunicorn servers of the same run loaded in alternating rounds; then the cost of a scrape of
/metrics with 3 gunicorn workers and a Celery worker writing to the metrics directory.

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/observability.py
    ... bench/observability.py --seconds 15 --warmup 5 --connections 50 --rounds 3 --scrapes 50

The ratio is req/s ON over req/s OFF (goal >= 0.95x); the machine is shared, so compare ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import prepare  # noqa: E402 - after the path
from bench.common import WEB_WORKERS, percentiles, start_gunicorn, wrk  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
PASSWORD = "bench-password-not-secret-1"  # noqa: S105 - bench/api.py's throwaway user


def http(url: str, *, token: str = "", body: dict | None = None) -> dict:
    """Patient: on a shared machine a worker's first request (URLconf imports) can take minutes."""
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - http://127.0.0.1 only
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
        return json.loads(response.read())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scrapes", type=int, default=50)
    parser.add_argument("--web-workers", type=int, default=WEB_WORKERS)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    from scripts.stack import free_port, stop

    email = prepare()
    metrics_dir = tempfile.mkdtemp(prefix="bench-metrics-")
    log_path = Path(tempfile.mkstemp(prefix="bench-obs-", suffix=".log")[1])
    base_env = {
        **os.environ, "DJANGO_DEBUG": "false", "DB_POOL_MIN_SIZE": "2", "DB_POOL_MAX_SIZE": "10",
        "RATE_LIMIT_OVERRIDES": '{"user": "1000000000/15m"}',
    }  # fmt: skip
    variants = {
        "OFF: no metrics, no SQL timing, no request log": {
            **base_env, "BENCH_OBSERVABILITY": "off", "LOG_REQUESTS": "false", "LOG_FORMAT": "console",
        },
        "ON: metrics (multiprocess) + SQL timing + JSON log": {
            **base_env, "PROMETHEUS_MULTIPROC_DIR": metrics_dir, "LOG_FORMAT": "json", "LOG_REQUESTS": "true",
        },
    }  # fmt: skip
    servers: dict[str, tuple[str, subprocess.Popen[bytes], list[int]]] = {}
    worker: subprocess.Popen[bytes] | None = None
    log = log_path.open("ab")
    try:
        for name, env in variants.items():
            port = free_port()
            proc = start_gunicorn(
                "bench.observability_app:application", port=port, workers=args.web_workers, env=env,
                extra=["--timeout", "900", *(["--config", "config/gunicorn.conf.py"] if "ON" in name else [])],
            )  # fmt: skip
            pids = [int(p) for p in subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                                    text=True, check=True).stdout.split()]  # fmt: skip
            servers[name] = (f"http://127.0.0.1:{port}", proc, pids)
        base = next(iter(servers.values()))[0]
        token = http(f"{base}/api/v1/auth/token/", body={"email": email, "password": PASSWORD})["access"]
        headers = [f"Authorization: Bearer {token}"]
        for url, _, _ in servers.values():  # every worker past its first request (imports, pools)
            for _ in range(4 * args.web_workers):
                assert len(http(f"{url}/api/v1/jobs/", token=token)["results"]) == 20
        runs: dict[str, list[dict]] = {name: [] for name in servers}
        for url, _, pids in servers.values():
            wrk(f"{url}/api/v1/jobs/", seconds=args.warmup, connections=args.connections, workers=pids, headers=headers)
        for _ in range(args.rounds):
            for name, (url, _, pids) in servers.items():
                runs[name].append(
                    wrk(f"{url}/api/v1/jobs/", seconds=args.seconds, connections=args.connections, workers=pids,
                        headers=headers)
                )  # fmt: skip

        # The scrape: 3 web workers and a Celery worker (prefork, 2 children) share the directory.
        worker = subprocess.Popen(
            [str(ROOT / ".venv/bin/celery"), "--app", "config", "worker", "--queues", "default", "--concurrency", "2",
             "--loglevel", "WARNING", "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=variants["ON: metrics (multiprocess) + SQL timing + JSON log"], stdout=log, stderr=log,
        )  # fmt: skip
        time.sleep(8)
        on_url = servers["ON: metrics (multiprocess) + SQL timing + JSON log"][0]
        files = len(os.listdir(metrics_dir))
        timings, size = [], 0
        for _ in range(args.scrapes):
            start = time.perf_counter()
            with urllib.request.urlopen(f"{on_url}/metrics", timeout=30) as response:  # noqa: S310 - loopback
                size = len(response.read())
            timings.append((time.perf_counter() - start) * 1000)
    finally:
        if worker is not None:
            stop(worker)
        for _, proc, _ in servers.values():
            stop(proc)
        log.close()
        shutil.rmtree(metrics_dir, ignore_errors=True)

    print(
        f"\ngunicorn sync -w{args.web_workers}, {os.cpu_count()} CPUs (shared machine), wrk -t2 -c{args.connections}, "
        f"{args.seconds:.0f} s per run after {args.warmup:.0f} s warm-up, {args.rounds} alternating rounds\n"
    )
    print(f"| {'GET /api/v1/jobs/':<52} | round | req/s | p50 ms | p95 ms | worker CPU ms/req | non-2xx |")
    print(f"|{'-' * 54}|------:|------:|-------:|-------:|------------------:|--------:|")
    for name, results in runs.items():
        for n, r in enumerate(results, 1):
            print(
                f"| {name:<52} | {n:>5} | {r['rps']:>5.0f} | {r['p50'] / 1000:>6.1f} | {r['p95'] / 1000:>6.1f} "
                f"| {r['cpu_ms']:>17.2f} | {r['non2xx']:>7} |"
            )
    off, on = (statistics.mean(r["rps"] for r in results) for results in runs.values())
    cpu_off, cpu_on = (statistics.mean(r["cpu_ms"] for r in results) for results in runs.values())
    print(f"\nratio ON / OFF (mean req/s): {on / off:.3f}x  (goal >= 0.95x)")
    print(f"worker CPU per request ON - OFF: {cpu_on - cpu_off:+.3f} ms ({cpu_on / cpu_off:.3f}x)")
    p50, p95 = percentiles(timings)
    print(
        f"\nGET /metrics with {args.web_workers} web workers + 1 Celery worker (2 children), {files} files in the "
        f"directory, {size} bytes: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(timings):.1f} ms over "
        f"{args.scrapes} scrapes (goal < 50 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
