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
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
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
    servers: dict[str, tuple[str, subprocess.Popen[bytes]]] = {}
    runs: dict[tuple[str, str], list[dict]] = {(c, name): [] for c in classes for name in TARGETS}
    try:
        for worker_class in classes:  # idle servers cost nothing: start them all, then alternate
            port = free_port()
            server_env = {**env, "WEB_WORKER_CLASS": worker_class}
            server = start_gunicorn("bench.api_app:application", port=port, workers=args.web_workers, env=server_env)
            servers[worker_class] = (f"http://127.0.0.1:{port}", server)
        token = http(f"{servers[classes[0]][0]}/api/v1/auth/token/", body={"email": email, "password": PASSWORD})[2][
            "access"
        ]
        loads = {}
        for worker_class, (base, server) in servers.items():
            _, headers, page = http(f"{base}/api/v1/jobs/", token=token)
            assert len(page["results"]) == 20 and "X-RateLimit-Remaining" in headers, (headers, page)
            assert len(http(f"{base}/bench/plain-jobs/", token=token)[2]) == 20
            pgrep = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=True)
            workers = [int(pid) for pid in pgrep.stdout.split()]
            loads[worker_class] = {
                "connections": args.connections, "workers": workers, "headers": [f"Authorization: Bearer {token}"]
            }  # fmt: skip
            for path in TARGETS.values():  # warm both: imports, pools, caches
                wrk(base + path, seconds=args.warmup, **loads[worker_class])
        for _ in range(args.rounds):
            for worker_class, (base, _server) in servers.items():
                for name, path in TARGETS.items():
                    runs[worker_class, name].append(wrk(base + path, seconds=args.seconds, **loads[worker_class]))
    finally:
        for _, server in servers.values():
            stop(server)

    print(
        f"\ngunicorn -w{args.web_workers}, {os.cpu_count()} CPUs, wrk -t2 -c{args.connections}, "
        f"{args.seconds:.0f} s per run after {args.warmup:.0f} s warm-up, {args.rounds} alternating rounds\n"
    )
    print(f"| {'worker class':<20} | {'view':<44} | round | req/s | p50 ms | p95 ms | p99 ms | worker CPU ms/req |")
    print(f"|{'-' * 22}|{'-' * 46}|------:|------:|-------:|-------:|-------:|------------------:|")
    for (worker_class, name), results in runs.items():
        label = worker_class.rsplit(".")[-1]
        for n, r in enumerate(results, 1):
            print(
                f"| {label:<20} | {name:<44} | {n:>5} | {r['rps']:>5.0f} | {r['p50'] / 1000:>6.1f} "
                f"| {r['p95'] / 1000:>6.1f} | {r['p99'] / 1000:>6.1f} | {r['cpu_ms']:>17.2f} |"
            )
            if r["non2xx"] or r["errors"]:
                print(f"  ^ {r['non2xx']} non-2xx, {r['errors']} socket errors")
    first = classes[0]
    baseline_rps = statistics.mean(r["rps"] for r in runs[first, next(iter(TARGETS))])
    print()
    for (worker_class, name), results in runs.items():
        rps = statistics.mean(r["rps"] for r in results)
        print(f"{worker_class.rsplit('.')[-1]} / {name}: {rps / baseline_rps:.2f}x the baseline view under {first}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
