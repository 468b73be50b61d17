"""API gateway cost: GET /api/v1/jobs/ (20 rows; JWT bound to a session checked in Redis, rate limits
counted in Redis, role permission) beside the baseline of the same run, a plain DRF APIView + simplejwt
+ ModelSerializer of the same 20 rows (bench/api_app.py), both served by one gunicorn (config/gunicorn.conf.py,
as deployed) per worker class compared (--worker-classes: the shedding thread worker and sync by default),
loaded with wrk (`apt-get install wrk`).

Run it against the database and Redis of the environment, through the stack script:

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/api.py
    ... bench/api.py --seconds 15 --warmup 5 --connections 50 --rounds 2

The rounds alternate baseline and platform, and worker classes, so drift on a shared machine hits all; each
ratio is req/s over the baseline view's req/s under the first worker class, averaged over the rounds.

Instrumentation cost (issue 17, goal >= 0.95x): --observability serves the platform's jobs list from two
servers per worker class, as deployed with metrics (multiprocess), SQL timing, cache counters and JSON
request logs ON, and with all of them OFF (bench/api_app.py, BENCH_OBSERVABILITY=off), in alternating
rounds; both write their output to a log file, as in production. The ratio is ON req/s over OFF req/s:

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/api.py --observability \
        --worker-classes platform_core.shedding.SheddingThreadWorker --rounds 3
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
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import WEB_WORKERS, start_gunicorn, wrk  # noqa: E402 - after the path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PASSWORD = "bench-password-not-secret-1"  # noqa: S105 - a throwaway user on a throwaway database
TARGETS = {
    "baseline: plain DRF + JWT + ModelSerializer": "/bench/plain-jobs/",
    "platform: GET /api/v1/jobs/": "/api/v1/jobs/",
}
OBS_ON = "platform, observability ON: metrics + SQL timing + JSON log"
OBS_OFF = "platform, observability OFF"


def observability_variants(metrics_dir: str) -> dict[str, dict[str, str]]:
    """The environments of the two servers --observability compares: the deployment's, and all of it off."""
    return {
        OBS_ON: {"PROMETHEUS_MULTIPROC_DIR": metrics_dir, "LOG_FORMAT": "json", "LOG_REQUESTS": "true"},
        OBS_OFF: {"BENCH_OBSERVABILITY": "off", "LOG_FORMAT": "console", "LOG_REQUESTS": "false"},
    }


def prepare() -> str:
    """Migrate, then one customer with an owner and 20 jobs; returns the owner's e-mail."""
    import django

    django.setup()
    from django.core.management import call_command

    from platform_core.models import Customer, Job, User

    call_command("migrate", verbosity=0)
    customer, _ = Customer.objects.get_or_create(slug="bench-api", defaults={"name": "Bench API"})
    email = "bench-api@example.com"
    if not User.objects.filter(email=email).exists():
        User.objects.create_user(email=email, password=PASSWORD, customer=customer, role=User.Role.OWNER)
    Job.objects.filter(customer=customer).delete()
    Job.objects.bulk_create(
        Job(customer=customer, kind="icp.generate", task_name="bench.noop", status=Job.Status.SUCCEEDED,
            progress=100, message="Done", input={"company": f"Company {n}"}, result={"score": n, "tier": "A"})
        for n in range(20)
    )  # fmt: skip
    return email


def http(url: str, *, token: str = "", body: dict | None = None) -> tuple[int, dict, dict]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - http://127.0.0.1 only
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.status, dict(response.headers), json.loads(response.read())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=WEB_WORKERS)
    parser.add_argument(
        "--worker-classes",
        default="platform_core.shedding.SheddingThreadWorker,sync",
        help="gunicorn worker classes to compare, each serving both views in its own rounds",
    )
    parser.add_argument(
        "--observability",
        action="store_true",
        help="compare the jobs list with metrics, SQL timing and JSON logs on against all of them off",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2

    from scripts.stack import free_port, stop

    email = prepare()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DB_POOL_MIN_SIZE": "2",
        "DB_POOL_MAX_SIZE": "10",
        # Limits stay on (every request is counted in Redis) but high enough never to answer 429.
        "RATE_LIMIT_OVERRIDES": json.dumps({"user": "1000000000/15m"}),
        # Saturated on purpose: measure throughput, not the 503s that a real overload would get.
        "WEB_SHED_AFTER_MS": "60000",
    }
    classes = args.worker_classes.split(",")
    metrics_dir = tempfile.mkdtemp(prefix="bench-api-metrics-")
    log_path = Path(tempfile.mkstemp(prefix="bench-api-", suffix=".log")[1])
    # variant -> (extra environment, the views it serves)
    if args.observability:
        jobs_only = {"platform: GET /api/v1/jobs/": "/api/v1/jobs/"}
        variants = {name: (extra, jobs_only) for name, extra in observability_variants(metrics_dir).items()}
    else:
        variants = {"": ({}, TARGETS)}
    servers: dict[tuple[str, str], tuple[str, subprocess.Popen[bytes]]] = {}
    runs: dict[tuple[str, str, str], list[dict]] = {
        (c, variant, name): [] for c in classes for variant, (_, targets) in variants.items() for name in targets
    }
    log = log_path.open("ab")
    try:
        for worker_class in classes:  # idle servers cost nothing: start them all, then alternate
            for variant, (extra, _) in variants.items():
                port = free_port()
                server_env = {**env, "WEB_WORKER_CLASS": worker_class, **extra}
                server = start_gunicorn(
                    "bench.api_app:application", port=port, workers=args.web_workers, env=server_env, output=log
                )
                servers[worker_class, variant] = (f"http://127.0.0.1:{port}", server)
        first_base = next(iter(servers.values()))[0]
        token = http(f"{first_base}/api/v1/auth/token/", body={"email": email, "password": PASSWORD})[2]["access"]
        loads = {}
        for (worker_class, variant), (base, server) in servers.items():
            targets = variants[variant][1]
            _, headers, page = http(f"{base}/api/v1/jobs/", token=token)
            assert len(page["results"]) == 20 and "X-RateLimit-Remaining" in headers, (headers, page)
            if "/bench/plain-jobs/" in targets.values():
                assert len(http(f"{base}/bench/plain-jobs/", token=token)[2]) == 20
            pgrep = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=True)
            workers = [int(pid) for pid in pgrep.stdout.split()]
            loads[worker_class, variant] = {
                "connections": args.connections, "workers": workers, "headers": [f"Authorization: Bearer {token}"]
            }  # fmt: skip
            for path in targets.values():  # warm both: imports, pools, caches
                wrk(base + path, seconds=args.warmup, **loads[worker_class, variant])
        for _ in range(args.rounds):
            for (worker_class, variant), (base, _server) in servers.items():
                for name, path in variants[variant][1].items():
                    runs[worker_class, variant, name].append(
                        wrk(base + path, seconds=args.seconds, **loads[worker_class, variant])
                    )
    finally:
        for _, server in servers.values():
            stop(server)
        log.close()
        shutil.rmtree(metrics_dir, ignore_errors=True)

    print(
        f"\ngunicorn -w{args.web_workers}, {os.cpu_count()} CPUs, wrk -t2 -c{args.connections}, "
        f"{args.seconds:.0f} s per run after {args.warmup:.0f} s warm-up, {args.rounds} alternating rounds "
        f"(server output: {log_path})\n"
    )
    print(f"| {'worker class':<20} | {'view':<60} | round | req/s | p50 ms | p95 ms | p99 ms | worker CPU ms/req |")
    print(f"|{'-' * 22}|{'-' * 62}|------:|------:|-------:|-------:|-------:|------------------:|")
    for (worker_class, variant, name), results in runs.items():
        label = worker_class.rsplit(".")[-1]
        for n, r in enumerate(results, 1):
            print(
                f"| {label:<20} | {variant or name:<60} | {n:>5} | {r['rps']:>5.0f} | {r['p50'] / 1000:>6.1f} "
                f"| {r['p95'] / 1000:>6.1f} | {r['p99'] / 1000:>6.1f} | {r['cpu_ms']:>17.2f} |"
            )
            if r["non2xx"] or r["errors"]:
                print(f"  ^ {r['non2xx']} non-2xx, {r['errors']} socket errors")
    print()

    def mean(key: tuple[str, str, str], field: str) -> float:
        return statistics.mean(r[field] for r in runs[key])

    if args.observability:
        view = "platform: GET /api/v1/jobs/"
        for worker_class in classes:
            on, off = (worker_class, OBS_ON, view), (worker_class, OBS_OFF, view)
            cpu_on, cpu_off = mean(on, "cpu_ms"), mean(off, "cpu_ms")
            print(
                f"{worker_class.rsplit('.')[-1]}: ON / OFF {mean(on, 'rps') / mean(off, 'rps'):.3f}x req/s "
                f"(goal >= 0.95x); worker CPU per request {cpu_on - cpu_off:+.3f} ms ({cpu_on / cpu_off:.3f}x)"
            )
        return 0
    first = classes[0]
    baseline_rps = mean((first, "", next(iter(TARGETS))), "rps")
    for worker_class, _, name in runs:
        rps = mean((worker_class, "", name), "rps")
        print(f"{worker_class.rsplit('.')[-1]} / {name}: {rps / baseline_rps:.2f}x the baseline view under {first}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
