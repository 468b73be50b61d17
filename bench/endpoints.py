"""CPU per request of each endpoint of the load-test mix, served as deployed (gunicorn, DEBUG off) and
loaded one endpoint at a time with wrk: the web workers' CPU and what PostgreSQL and Redis spent, beside
the baseline of the same run (perf-baseline.md's plain DRF + JWT + 20-row view, bench/api_app.py).
Optionally records a py-spy flame profile of the workers for one endpoint.

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/endpoints.py
    ... bench/endpoints.py --seconds 8 --only me,jobs --py-spy me     # writes bench/results/me.txt

Needs wrk (`apt-get install wrk`); --py-spy needs py-spy (pip).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from bench.api import PASSWORD, http, prepare  # noqa: E402
from bench.common import WEB_WORKERS, start_gunicorn, wrk  # noqa: E402
from bench.profile_mix import BUSINESS_CASE, COST_INPUTS, cpu_of, server_pids  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# name: (method, path, body)
ENDPOINTS: dict[str, tuple[str, str, dict | None]] = {
    "baseline": ("GET", "/bench/plain-jobs/", None),
    "me": ("GET", "/api/v1/auth/me/", None),
    "jobs": ("GET", "/api/v1/jobs/", None),
    "progress": ("GET", "/api/v1/progress", None),
    "resources": ("GET", "/api/v1/resources/", None),
    "cost-calculate": ("POST", "/api/v1/cost-calculator/calculate", COST_INPUTS),
    "business-case": ("POST", "/api/v1/business-case/generate", BUSINESS_CASE),
    "assessment-start": ("POST", "/api/v1/assessments/start", {}),
}


def lua(method: str, body: dict | None) -> str:
    if method == "GET":
        return ""
    if body == {}:  # assessment start: a new session id per request
        return (
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            "local n = 0\nrequest = function()\n  n = n + 1\n"
            '  return wrk.format(nil, nil, nil, string.format(\'{"sessionId": "bench_%d_%d"}\', math.random(1e9), n))\n'
            "end\n"
        )
    return f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[{json.dumps(body)}]]\n'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--web-workers", type=int, default=WEB_WORKERS)
    parser.add_argument("--only", default="")
    parser.add_argument("--py-spy", default="", help="endpoint to record (collapsed stacks; see bench/stacks.py)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    from scripts.stack import free_port, stop

    email = prepare()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DB_POOL_MIN_SIZE": "2",
        "DB_POOL_MAX_SIZE": "10",
        "RATE_LIMIT_OVERRIDES": json.dumps({"user": "1000000000/15m", "anon": "1000000000/15m"}),
    }
    server = start_gunicorn("bench.api_app:application", port=port, workers=args.web_workers, env=env)
    rows = []
    try:
        token = http(f"{base}/api/v1/auth/token/", body={"email": email, "password": PASSWORD})[2]["access"]
        workers = [p.pid for p in psutil.Process(server.pid).children()]
        servers = server_pids()
        for name, (method, path, body) in ENDPOINTS.items():
            if args.only and name not in args.only.split(",") and name != "baseline":
                continue
            load = {
                "connections": args.connections,
                "workers": workers,
                "headers": [f"Authorization: Bearer {token}"],
                "script": lua(method, body),
            }
            wrk(base + path, seconds=2, **load)  # warm
            spy = None
            if name == args.py_spy:
                out = ROOT / "bench/results" / f"{name}.txt"
                out.parent.mkdir(exist_ok=True)
                spy = subprocess.Popen(
                    [str(ROOT / ".venv/bin/py-spy"), "record", "-o", str(out), "-d", str(int(args.seconds)),
                     "-r", "200", "--format", "raw", "--pid", str(workers[0])],
                    stdout=subprocess.DEVNULL,
                )  # fmt: skip
            others = cpu_of(servers)
            result = wrk(base + path, seconds=args.seconds, **load)
            others_ms = (cpu_of(servers) - others) * 1000 / max(1, result["requests"])
            if spy:
                spy.wait()
            rows.append((name, result, others_ms))
    finally:
        stop(server)

    print(f"\ngunicorn sync -w{args.web_workers}, wrk -c{args.connections}, {args.seconds:.0f} s per endpoint\n")
    print("| endpoint | req/s | p95 ms | web CPU ms/req | pg+redis CPU ms/req | non-2xx |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r, others_ms in rows:
        print(
            f"| {name} | {r['rps']:.0f} | {r['p95'] / 1000:.1f} | {r['cpu_ms']:.2f} | {others_ms:.2f} | {r['non2xx']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
