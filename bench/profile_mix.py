"""Where the CPU of the load-test mix goes, per endpoint: the Django process (through the whole
middleware stack, in-process with Django's test client) plus what PostgreSQL and Redis spent on its
behalf, and a cProfile of the whole mix. The tool for finding what to cut; bench/load/ is the measure.

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/profile_mix.py
    ... bench/profile_mix.py --repeat 200 --profile 40 --only me,jobs

Runs with DEBUG off, as production does, on make run's demo data (seed_demo: its staff users get the
assessment e-mails). The cProfile counts CPU time, not waits on the servers; PROFILE_DUMP=file keeps it
for pstats (print_callees). Needs psutil (a dependency of locust).
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import os
import pstats
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DJANGO_DEBUG"] = "false"
os.environ.setdefault(
    "RATE_LIMIT_OVERRIDES",
    '{"user": "1000000000/15m", "anon": "1000000000/15m", "login_ip": "1000000/15m", "login_account": "1000000/15m"}',
)

import psutil  # noqa: E402

COST_INPUTS = {
    "potentialDeals": 100, "averageDealSize": 10_000, "conversionRate": 0.2, "delayMonths": 6,
    "currentOperatingCost": 1_000_000, "inefficiencyRate": 0.1, "employeeCount": 10, "averageSalary": 100_000,
    "marketShare": 0.05, "scenario": "realistic",
}  # fmt: skip
BUSINESS_CASE = {
    "type": "pilot",
    "requirements": {"timeline": 6, "budget": 50_000, "successMetrics": ["Win rate up 10 points"]},
    "context": {"industry": "technology", "companySize": "mid-market", "currentChallenges": ["Long sales cycles"]},
}
PASSWORD = "profile-password-not-secret-1"  # noqa: S105 - throwaway database


def server_pids() -> list[psutil.Process]:
    """PostgreSQL and Redis processes of the stack (their CPU counts as the request's)."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        name = proc.info["name"] or ""
        if name.startswith(("postgres", "redis")):
            found.append(proc)
    return found


def cpu_of(procs: list[psutil.Process]) -> float:
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=100, help="requests per endpoint")
    parser.add_argument("--profile", type=int, default=30, help="rows of the cProfile table (0: none)")
    parser.add_argument("--only", default="", help="comma-separated endpoint names")
    parser.add_argument("--sql", action="store_true", help="print each endpoint's SQL statements")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)  # make run's data: its staff users hear of each assessment
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_HOST="127.0.0.1")
    counter = itertools.count()

    def post(path: str, body: dict, token: str = "", **extra: str) -> dict:
        headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        response = client.post(path, body, content_type="application/json", **{**headers, **extra})
        assert response.status_code < 400, (path, response.status_code, response.content[:300])
        return response.json() if response.content else {}

    def get(path: str, token: str) -> dict:
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code < 400, (path, response.status_code, response.content[:300])
        return response.json()

    def register() -> str:
        n = next(counter)
        email = f"p{n}-{uuid.uuid4().hex[:6]}@example.com"
        body = {"email": email, "password": PASSWORD, "companyName": "Acme"}
        post("/api/v1/auth/register/", body, HTTP_X_FORWARDED_FOR=f"10.0.{n // 250}.{n % 250}")
        return email  # registering answers alike for new and known addresses: no tokens, sign in next

    email = register()
    tokens: dict[str, str] = {}

    def sign_in() -> None:  # the newest session stays valid (SESSION_MAX_PER_USER ends the oldest)
        tokens["access"] = post("/api/v1/auth/token/", {"email": email, "password": PASSWORD})["access"]

    sign_in()

    def assessment() -> None:
        n = next(counter)
        session_id = f"sess_{uuid.uuid4().hex}"
        post("/api/v1/assessments/start", {"sessionId": session_id}, HTTP_X_FORWARDED_FOR=f"10.1.{n // 250}.{n % 250}")
        post(
            "/api/v1/assessments/submit",
            {
                "sessionId": session_id,
                "responses": {f"q{i}": 1 + i % 4 for i in range(1, 15)},
                "userInfo": {"email": f"a{n}@example.com", "company": "Visitor Co"},
            },
            HTTP_X_FORWARDED_FOR=f"10.1.{n // 250}.{n % 250}",
        )

    endpoints: dict[str, Callable[[], object]] = {
        "register": register,
        "token": sign_in,
        "me": lambda: get("/api/v1/auth/me/", tokens["access"]),
        "jobs": lambda: get("/api/v1/jobs/", tokens["access"]),
        "progress": lambda: get("/api/v1/progress", tokens["access"]),
        "resources": lambda: get("/api/v1/resources/", tokens["access"]),
        "cost-calculate": lambda: post("/api/v1/cost-calculator/calculate", COST_INPUTS, tokens["access"]),
        "cost-save": lambda: post("/api/v1/cost-calculator/save", COST_INPUTS, tokens["access"]),
        "business-case": lambda: post("/api/v1/business-case/generate", BUSINESS_CASE, tokens["access"]),
        "assessment": assessment,
    }
    if args.only:
        endpoints = {name: fn for name, fn in endpoints.items() if name in args.only.split(",")}
    servers = server_pids()
    me = psutil.Process()

    print(f"\n{args.repeat} requests each, in-process, DEBUG off; CPU ms per request\n")
    from django.db import connection
    from redis.connection import Connection

    calls = {"sql": 0, "redis": 0}

    def count_sql(execute, sql, params, many, context):
        calls["sql"] += 1
        if args.sql:
            print(f"    SQL {sql[:160]}")
        return execute(sql, params, many, context)

    send = Connection.send_packed_command

    def count_redis(self, command, check_health=True):
        calls["redis"] += 1
        return send(self, command, check_health)

    Connection.send_packed_command = count_redis  # type: ignore[method-assign]
    print("| endpoint | django | postgres+redis | total | wall ms | SQL/req | Redis/req |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    profiler = cProfile.Profile(time.process_time)  # CPU, not waits on PostgreSQL
    for name, fn in endpoints.items():
        repeat = max(5, args.repeat // 10) if name in ("register", "token") else args.repeat
        for _ in range(3):
            fn()  # warm: imports, caches, pools
        with connection.execute_wrapper(count_sql):
            fn()
        calls.update(sql=0, redis=0)
        if args.sql:
            print(f"  {name}:")
        with connection.execute_wrapper(count_sql):
            fn()
        sql, redis_calls = calls["sql"], calls["redis"]
        own, others, wall = cpu_of([me]), cpu_of(servers), time.perf_counter()
        for _ in range(repeat):
            fn()
        own, others = (cpu_of([me]) - own) * 1000 / repeat, (cpu_of(servers) - others) * 1000 / repeat
        wall = (time.perf_counter() - wall) * 1000 / repeat
        print(f"| {name} | {own:.2f} | {others:.2f} | {own + others:.2f} | {wall:.2f} | {sql} | {redis_calls} |")
        if args.profile:  # a second pass: the profiler's own cost stays out of the table
            profiler.enable()
            for _ in range(repeat):
                fn()
            profiler.disable()
    if args.profile:
        stats = pstats.Stats(profiler)
        if os.environ.get("PROFILE_DUMP"):
            profiler.dump_stats(os.environ["PROFILE_DUMP"])
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumulative").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
