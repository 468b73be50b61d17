"""Load test of the whole platform as people use it; prints the seed's 10-item validation checklist.

Against a running `make run` (this starts nothing but the load generators), e.g.

    DJANGO_DEBUG=false TRUSTED_PROXY_COUNT=1 make run                                  # terminal 1
    .venv/bin/python bench/load/run.py --users 50 --spawn-rate 5 --duration 120 --phase signup

Phases: `signup` (people arrive at --spawn-rate, each member registers and signs in, then uses the
platform), `steady` (the accounts are made first, untimed; members arrive already signed in), `both`
(signup, then steady; a checklist each). 9 in 10 people are members (bench/load/locustfile.py: reads,
cost of inaction, business case, PDF/DOCX exports and ICP jobs polled to the end, think time 1-3 s), 1 in
10 an anonymous visitor taking the assessment. Every member holds a WebSocket (bench/load/ws_clients.py).

Measured: every request (locust, FastHttpUser), the platform's /metrics before and after (DB query time
histogram, provider 429 counters; `Authorization: Bearer $METRICS_TOKEN` when set), every second the
memory and CPU of the platform's processes (the tree of the process listening on --host's port:
scripts/stack.py's PostgreSQL and Redis, supervisord's gunicorn, uvicorn, celery), of locust and of the
socket clients, and the machine's /proc/stat. Jobs the run created are polled to their final state.
Only loopback targets; at most --max-users users and --max-duration seconds; it stops by itself.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LOCUSTFILE = HERE / "locustfile.py"
ALERTS_FILE = ROOT / "docker/prometheus/alerts.yml"
CLASSES = ["auth", "reads", "calculations", "job submit", "job poll", "assessment"]
FINISHED = {"succeeded", "failed", "cancelled"}
MAX_USERS, MAX_DURATION = 2000, 1800
P95_BAR_MS, DB_P95_BAR_S, LINK_BAR_S, ERROR_BAR, MEMORY_BAR = 500.0, 0.100, 30.0, 0.001, 0.80
VISITOR_SHARE = 0.1
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- small helpers ---------------------------------------------------------------------------------


def loopback_only(url: str) -> None:
    host = urlsplit(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        sys.exit(f"refusing {url!r}: the load test only targets loopback addresses")


def http(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 30
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", **(headers or {})}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); nan when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def fmt_ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def latency(values: list[float]) -> list[str]:
    """p50, p95, p99 and max, in ms."""
    return [fmt_ms(percentile(values, q)) for q in (50, 95, 99)] + [fmt_ms(max(values, default=math.nan))]


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    return "\n".join([line, sep, *body])


def own_cpu() -> float:
    """CPU seconds of this process (the driver and its sampler thread), not of its children."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"


def machine_busy_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine since boot, from /proc/stat's cpu line."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already in user
    return total - idle, total


# --- /metrics ------------------------------------------------------------------------------------------


@dataclass
class Metrics:
    present: bool
    note: str = ""
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = field(default_factory=dict)

    def total(self, name: str) -> float | None:
        values = [v for (n, _), v in self.samples.items() if n == name]
        return sum(values) if values else None

    def buckets(self, name: str) -> dict[float, float]:
        out: dict[float, float] = defaultdict(float)
        for (n, labels), value in self.samples.items():
            if n == name + "_bucket":
                out[float(dict(labels)["le"])] += value
        return dict(out)


def scrape(url: str) -> Metrics:
    from prometheus_client.parser import text_string_to_metric_families

    token = os.environ.get("METRICS_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            text = response.read().decode()
    except urllib.error.HTTPError as exc:
        return Metrics(False, f"/metrics answered {exc.code}")
    except OSError as exc:
        return Metrics(False, f"/metrics unreachable ({exc})")
    if "# TYPE" not in text and "_bucket" not in text:
        return Metrics(False, "/metrics is not Prometheus text")
    metrics = Metrics(True)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            metrics.samples[(sample.name, tuple(sorted(sample.labels.items())))] = float(sample.value)
    return metrics


def histogram_quantile(q: float, before: dict[float, float], after: dict[float, float]) -> tuple[float, float]:
    """(quantile, count) of the observations between two scrapes, as Prometheus' histogram_quantile."""
    delta = sorted((le, after.get(le, 0.0) - before.get(le, 0.0)) for le in after)
    if not delta or delta[-1][1] <= 0:
        return math.nan, 0.0
    count = delta[-1][1]
    rank, lower, below = q * count, 0.0, 0.0
    for le, cumulative in delta:
        if cumulative >= rank:
            if math.isinf(le):
                return lower, count
            inside = cumulative - below
            return lower + (le - lower) * ((rank - below) / inside if inside else 1.0), count
        lower, below = le, cumulative
    return lower, count


# --- the platform's processes --------------------------------------------------------------------------


def platform_root(port: int) -> psutil.Process | None:
    """The top of the platform's process tree: scripts/stack.py (or supervisord) above the HTTP listener."""
    listener = None
    try:
        connections = psutil.net_connections("tcp")
    except psutil.AccessDenied:  # another user's processes: run as the platform's user (or root)
        return None
    for conn in connections:
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
            listener = conn.pid
            break
    if listener is None:
        return None
    proc = psutil.Process(listener)
    root = proc
    for parent in proc.parents():
        cmdline = " ".join(parent.cmdline())
        if "supervisord" in cmdline:
            root = parent
        if "scripts/stack.py" in cmdline:
            return parent
    return root


def role(proc: psutil.Process) -> str:
    try:
        name, cmdline = proc.name(), " ".join(proc.cmdline())
    except psutil.Error:
        return "gone"
    for key, label in (("gunicorn", "web (gunicorn)"), ("uvicorn", "ws (uvicorn)"), (" beat", "celery beat"),
                       ("celery", "celery worker"), ("postgres", "postgres"), ("redis", "redis"),
                       ("supervisord", "supervisord"), ("stack.py", "stack.py")):  # fmt: skip
        if key in cmdline or key in name:
            return label
    return "other"


def inherited_role(proc: psutil.Process) -> str:
    """The role of a process, or of its nearest ancestor with one (uvicorn's spawned workers, pool children)."""
    try:
        for candidate in [proc, *proc.parents()[:3]]:
            label = role(candidate)
            if label not in ("other", "gone"):
                return label
    except psutil.Error:
        pass
    return "other"


class Sampler(threading.Thread):
    """Every second: RSS (and PSS every 10th), CPU seconds per process of each group, machine memory."""

    def __init__(self, root: psutil.Process | None) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.groups: dict[str, list[psutil.Process]] = {}
        self.cpu: dict[tuple[str, int, float], float] = {}  # (group, pid, create time) -> last seen CPU s
        self.roles: dict[tuple[str, int, float], str] = {}
        self.peak_rss = self.peak_pss = 0
        self.peak_machine_used = 0.0
        self.samples = 0
        self.stop_event = threading.Event()
        self.lock = threading.Lock()

    def watch(self, group: str, proc: psutil.Process | None) -> None:
        with self.lock:
            self.groups[group] = [proc] if proc else []

    def _tree(self, proc: psutil.Process) -> list[psutil.Process]:
        try:
            return [proc, *proc.children(recursive=True)]
        except psutil.Error:
            return []

    def sample(self) -> None:
        with self.lock:
            groups = {"platform": [self.root] if self.root else [], **self.groups}
            rss = pss = 0
            self.samples += 1
            for group, tops in groups.items():
                for top in tops:
                    for proc in self._tree(top):
                        try:
                            with proc.oneshot():
                                times = proc.cpu_times()
                                key = (group, proc.pid, proc.create_time())
                                self.cpu[key] = times.user + times.system
                                if key not in self.roles:
                                    self.roles[key] = inherited_role(proc)
                                if group == "platform":
                                    rss += proc.memory_info().rss
                                    if self.samples % 10 == 1:
                                        pss += getattr(proc.memory_full_info(), "pss", 0)
                        except psutil.Error:
                            continue
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            memory = psutil.virtual_memory()
            self.peak_machine_used = max(self.peak_machine_used, (memory.total - memory.available) / memory.total)

    def mark(self) -> dict[tuple[str, int, float], float]:
        self.sample()
        with self.lock:
            return dict(self.cpu)

    def run(self) -> None:
        while not self.stop_event.wait(1.0):
            self.sample()


def cpu_between(
    start: dict[tuple[str, int, float], float], end: dict[tuple[str, int, float], float], roles: dict[Any, str]
) -> dict[str, dict[str, float]]:
    """CPU seconds per group and per role between two marks (processes born in between count from 0)."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for key, value in end.items():
        spent = value - start.get(key, 0.0)
        out[key[0]]["total"] += spent
        out[key[0]][roles.get(key, "other")] += spent
    return out


def calibrate(host: str, sampler: Sampler, count: int = 300) -> float:
    """gunicorn's CPU ms per bare GET /healthz, one at a time before the load: the run's own baseline."""
    before = sampler.mark()
    for _ in range(count):
        http("GET", f"{host}/healthz", timeout=30)
    spent = cpu_between(before, sampler.mark(), sampler.roles).get("platform", {}).get("web (gunicorn)", 0.0)
    return spent / count * 1000


# --- setup and polling -----------------------------------------------------------------------------------


def steady_accounts(
    host: str, count: int, run_id: str, password: str, pool: Path | None
) -> tuple[list[dict[str, Any]], str]:
    """`count` signed-in members for the steady phase (untimed setup), 4 at a time; (accounts, their password).

    Without a pool file each is registered. With one (--accounts), the accounts of earlier runs against
    this host are reused: their tokens refreshed (no password hash on the server), or signed in again
    when their session ended, or registered again when the database was reset; more are registered
    when the pool is short. The pool keeps when each account started an AI job (tier quotas).
    """
    stored: dict[str, Any] = {}
    if pool is not None and pool.exists():
        stored = json.loads(pool.read_text())
        if stored.get("host") != host:
            print(f"setup: {pool} is for {stored.get('host')}, not {host}: new accounts", flush=True)
            stored = {}
    pool_id = stored.get("id", run_id)
    password = stored.get("password", password)
    existing: list[dict[str, Any]] = stored.get("accounts", [])
    how: Counter[str] = Counter()

    def register(i: int, email: str, headers: dict[str, str]) -> dict[str, Any]:
        body = {"email": email, "password": password, "fullName": "Load Bench", "companyName": f"Steady {pool_id} {i}"}
        status, answer = http("POST", f"{host}/api/v1/auth/register/", body, headers, timeout=120)
        if status != 201:
            raise RuntimeError(f"setup: register answered {status}: {answer}")
        # Registering hands out no tokens (the address is verified by e-mail first): sign in, as a member would.
        status, tokens = http("POST", f"{host}/api/v1/auth/token/", {"email": email, "password": password}, headers)
        if status != 200:
            raise RuntimeError(f"setup: sign-in after registering answered {status}: {tokens}")
        how["registered"] += 1
        return {"email": email, "tokens": tokens, "at": time.time(), "aiJobs": []}

    def one(i: int) -> dict[str, Any]:
        if i and i % 100 == 0:
            print(f"setup: account {i}/{count} ({time.monotonic() - started:.0f} s)", flush=True)
        headers = {"X-Forwarded-For": f"10.250.{i >> 8 & 255}.{i & 255 or 1}"}
        if i >= len(existing):
            return register(i, f"load-{pool_id}-steady-{i}@bench.example.com", headers)
        account = existing[i]
        refresh = {"refresh": account["tokens"]["refresh"]}
        status, tokens = http("POST", f"{host}/api/v1/auth/token/refresh/", refresh, headers, timeout=120)
        if status == 200:
            how["refreshed"] += 1
        else:
            login = {"email": account["email"], "password": password}
            status, tokens = http("POST", f"{host}/api/v1/auth/token/", login, headers, timeout=120)
            if status != 200:
                return {**register(i, account["email"], headers), "aiJobs": []}
            how["signed in"] += 1
        tokens = {"access": tokens["access"], "refresh": tokens.get("refresh", refresh["refresh"])}
        return {**account, "tokens": tokens, "at": time.time()}

    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool_threads:
        accounts = list(pool_threads.map(one, range(count)))
    done = ", ".join(f"{v} {k}" for k, v in sorted(how.items()))
    print(f"setup: {count} accounts ready in {time.monotonic() - started:.0f} s ({done})", flush=True)
    if pool is not None:
        save_pool(pool, {"host": host, "id": pool_id, "password": password, "accounts": accounts + existing[count:]})
    return accounts, password


def save_pool(pool: Path, data: dict[str, Any]) -> None:
    pool.parent.mkdir(parents=True, exist_ok=True)
    tmp = pool.with_suffix(".tmp")
    tmp.touch(mode=0o600)
    tmp.write_text(json.dumps(data))
    tmp.replace(pool)


def pool_note_ai_jobs(pool: Path, jobs: list[dict[str, Any]]) -> None:
    """Remember when each pool account started an AI job, so later runs stay inside the tier quotas."""
    data = json.loads(pool.read_text())
    started: dict[str, list[float]] = defaultdict(list)
    for job in jobs:
        if job["kind"] == "generate_icp":
            started[job["email"]].append(job["t"])
    day_ago = time.time() - 86400
    for account in data["accounts"]:
        account["aiJobs"] = [t for t in account.get("aiJobs", []) + started.get(account["email"], []) if t > day_ago]
    save_pool(pool, data)


def read_jsonl(run_dir: Path, stem: str) -> list[dict[str, Any]]:
    rows = []
    for path in sorted(run_dir.glob(f"{stem}-*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    continue  # a line cut short by a killed process
    return rows


def merge_jobs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per job: the submit line, with what later lines (the link's time) added."""
    jobs: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.get("jobId"):
            jobs.setdefault(row["jobId"], {}).update(row)
    return [job for job in jobs.values() if "kind" in job]


def seconds_between(start: str | None, end: str | None) -> float | None:
    from datetime import datetime

    if not (start and end):
        return None
    return (
        datetime.fromisoformat(end.replace("Z", "+00:00")) - datetime.fromisoformat(start.replace("Z", "+00:00"))
    ).total_seconds()


def final_states(host: str, jobs: list[dict[str, Any]], wait: float, password: str) -> dict[str, str]:
    """Poll every job the run created until it finishes or `wait` seconds pass: {jobId: final status}.

    An export whose person stopped watching before the link gets its link time from the export itself
    (readyAt - createdAt). A member's token that expired meanwhile is replaced by signing in again.
    """
    states: dict[str, str] = {}
    fresh: dict[str, str] = {}  # email -> access token from a new sign-in
    deadline = time.monotonic() + wait
    pending = list(jobs)
    n = 0

    def get(path: str, job: dict[str, Any]) -> tuple[int, Any]:
        nonlocal n
        n += 1
        headers = {"X-Forwarded-For": f"10.251.{n >> 8 & 255}.{n & 255 or 1}"}
        if job["kind"] == "assessment_calculation":
            return http("GET", host + path, headers=headers)
        email = job["email"]
        status, body = http(
            "GET", host + path, headers={**headers, "Authorization": f"Bearer {fresh.get(email, job['access'])}"}
        )
        if status == 401 and email not in fresh:
            signed, tokens = http("POST", f"{host}/api/v1/auth/token/", {"email": email, "password": password}, headers)
            if signed == 200:
                fresh[email] = tokens["access"]
                return get(path, job)
        return status, body

    while pending:
        still = []
        for job in pending:
            if job["kind"] == "assessment_calculation":
                status, body = get(f"/api/v1/assessments/{job['sessionId']}/results", job)
                calc = body.get("calculationStatus") if isinstance(body, dict) else None
                state = {"done": "succeeded", "failed": "failed"}.get(
                    str(calc), "pending" if status == 200 else f"http {status}"
                )
            else:
                status, body = get(f"/api/v1/jobs/{job['jobId']}/", job)
                state = (
                    body.get("status", f"http {status}")
                    if isinstance(body, dict) and status == 200
                    else f"http {status}"
                )
                if job["kind"] == "export" and state == "succeeded" and job.get("linkSeconds") is None:
                    status, export = get(f"/api/v1/exports/{job['exportId']}/", job)
                    if status == 200 and export.get("downloadUrl"):
                        job["linkSeconds"] = seconds_between(export.get("createdAt"), export.get("readyAt"))
                        job["linkFrom"] = "export"
            states[job["jobId"]] = state
            if state not in FINISHED and not state.startswith("http"):
                still.append(job)
        pending = still
        if pending:
            if time.monotonic() > deadline:
                break
            time.sleep(1.0)
    return states


# --- one phase --------------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    run_dir: Path
    args: argparse.Namespace
    result: dict[str, Any] = field(default_factory=dict)


def run_phase(phase: Phase, run_id: str, password: str) -> dict[str, Any]:
    args, run_dir = phase.args, phase.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    members = args.users - int(args.users * VISITOR_SHARE)
    if phase.name == "steady":
        accounts, password = steady_accounts(args.host, members + 2, run_id, password, args.accounts)
        (run_dir / "accounts.json").write_text(json.dumps(accounts))
    port = urlsplit(args.host).port or 80
    root = platform_root(port)
    sampler = Sampler(root)
    sampler.start()
    baseline = calibrate(args.host, sampler)
    metrics_before = scrape(args.metrics_url)
    stat_before = machine_busy_jiffies()
    cpu_before = sampler.mark()
    driver_before = own_cpu()
    env = {**os.environ, "LOADBENCH_DIR": str(run_dir), "LOADBENCH_PHASE": phase.name, "LOADBENCH_RUN_ID": run_id,
           "LOADBENCH_PASSWORD": password, "LOADBENCH_JOB_WAIT": str(args.job_wait),
           "LOADBENCH_EXPORT_EVERY": str(args.export_every), "LOADBENCH_AI_EVERY": str(args.ai_every)}  # fmt: skip
    ws_log = (run_dir / "ws.log").open("w")
    ws_command = [sys.executable, str(HERE / "ws_clients.py"), "--url", args.ws_url, "--dir", str(run_dir),
                  "--max-seconds", str(args.duration + 2 * args.job_wait + 300)]  # fmt: skip
    ws = subprocess.Popen(ws_command, stdout=ws_log, stderr=subprocess.STDOUT)
    sampler.watch("ws clients", psutil.Process(ws.pid))
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--users", str(args.users),
               "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.duration}s", "--host", args.host,
               "--stop-timeout", "5", "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
               "--csv", str(run_dir / "locust")]  # fmt: skip
    if args.processes > 1:
        command += ["--processes", str(args.processes)]
    print(f"{phase.name}: {args.users} users at {args.spawn_rate}/s for {args.duration} s against {args.host} "
          f"(locust output: {run_dir / 'locust.log'})", flush=True)  # fmt: skip
    started = time.time()
    locust: subprocess.Popen[bytes] | None = None
    try:
        with (run_dir / "locust.log").open("w") as log:
            locust = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            sampler.watch("locust", psutil.Process(locust.pid))
            try:
                locust.wait(timeout=args.duration + 90)
            except subprocess.TimeoutExpired:
                print("locust did not stop in time: killed", flush=True)
                os.killpg(locust.pid, signal.SIGKILL)
                locust.wait()
    except BaseException:
        if locust is not None and locust.poll() is None:
            os.killpg(locust.pid, signal.SIGKILL)
        ws.kill()
        raise
    cpu_after = sampler.mark()
    driver_cpu = own_cpu() - driver_before
    stat_after = machine_busy_jiffies()
    elapsed = time.time() - started
    if not (run_dir / "locust.log").exists() or not read_jsonl(run_dir, "requests"):
        print("locust made no requests; its log ends:\n" + tail(run_dir / "locust.log"), flush=True)

    jobs = merge_jobs(read_jsonl(run_dir, "jobs"))
    print(f"{phase.name}: locust done in {elapsed:.0f} s; polling {len(jobs)} jobs to their end", flush=True)
    states = final_states(args.host, jobs, args.job_wait, password)
    if phase.name == "steady" and args.accounts is not None:
        pool_note_ai_jobs(args.accounts, jobs)
    time.sleep(1.0)  # the last events reach the sockets
    (run_dir / "ws.stop").touch()
    try:
        ws.wait(timeout=60)
    except subprocess.TimeoutExpired:
        ws.kill()
    ws_log.close()
    if ws.returncode:
        print(f"socket clients exited {ws.returncode}; their log ends:\n" + tail(run_dir / "ws.log"), flush=True)
    metrics_after = scrape(args.metrics_url)
    sampler.stop_event.set()
    ws_result = json.loads((run_dir / "ws.json").read_text()) if (run_dir / "ws.json").exists() else None
    return analyse(
        phase, elapsed=elapsed, root=root, sampler=sampler,
        cpu={**cpu_between(cpu_before, cpu_after, sampler.roles), "driver": {"total": driver_cpu}},
        busy=(stat_after[0] - stat_before[0]) / CLK_TCK, metrics=(metrics_before, metrics_after), jobs=jobs,
        states=states, ws=ws_result, baseline=baseline,
    )  # fmt: skip


# --- the report ------------------------------------------------------------------------------------------


def analyse(
    phase: Phase,
    *,
    elapsed: float,
    root: psutil.Process | None,
    sampler: Sampler,
    cpu: dict[str, dict[str, float]],
    busy: float,
    metrics: tuple[Metrics, Metrics],
    jobs: list[dict[str, Any]],
    states: dict[str, str],
    ws: dict[str, Any] | None,
    baseline: float,
) -> dict[str, Any]:
    args, run_dir = phase.args, phase.run_dir
    requests = read_jsonl(run_dir, "requests")
    users = read_jsonl(run_dir, "users")
    n = len(requests)
    failures = [r for r in requests if not r["ok"]]
    error_rate = len(failures) / n if n else 1.0
    window = (max(r["t"] + r["ms"] / 1000 for r in requests) - min(r["t"] for r in requests)) if n else elapsed
    by_class: dict[str, list[float]] = defaultdict(list)
    errors_by_class: Counter[str] = Counter()
    for r in requests:
        by_class[r["class"]].append(r["ms"])
        errors_by_class[r["class"]] += not r["ok"]
    all_ms = [r["ms"] for r in requests]
    p95 = {c: percentile(by_class.get(c, []), 95) for c in CLASSES}
    worst = max((c for c in CLASSES if by_class.get(c)), key=lambda c: p95[c], default=None)

    before, after = metrics
    checks: list[tuple[str, bool, str]] = []
    reached = len(users)
    checks.append(("1 load held (users reached, error rate < 0.1%)", reached >= args.users and error_rate < ERROR_BAR,
                   f"{reached}/{args.users} users, {error_rate:.3%} errors"))  # fmt: skip
    if not (before.present and after.present):
        checks.append(("2 DB query time p95 < 100 ms", False, f"n/a — no /metrics ({after.note or before.note})"))
    else:
        name = "platform_db_query_duration_seconds"
        q95, count = histogram_quantile(0.95, before.buckets(name), after.buckets(name))
        ok = not math.isnan(q95) and q95 < DB_P95_BAR_S
        value = (
            f"{q95 * 1000:.1f} ms over {count:,.0f} queries" if not math.isnan(q95) else f"n/a — no {name} observations"
        )
        checks.append(("2 DB query time p95 < 100 ms", ok, value))
    missing = [c for c in CLASSES if not by_class.get(c)]
    api_ok = worst is not None and all(p95[c] < P95_BAR_MS for c in CLASSES if by_class.get(c))
    checks.append(("3 API p95 < 500 ms, every endpoint class", api_ok,
                   (f"worst {worst} {fmt_ms(p95[worst])} ms" if worst else "no requests")
                   + (f" (no {', '.join(missing)} requests)" if missing else "")))  # fmt: skip
    exports = [j for j in jobs if j["kind"] == "export"]
    links = [j["linkSeconds"] if j.get("linkSeconds") is not None else math.inf for j in exports]
    link_p95 = percentile(links, 95)
    checks.append(("4 file generation request -> link p95 < 30 s", bool(exports) and link_p95 < LINK_BAR_S,
                   f"p95 {link_p95:.1f} s, {sum(not math.isinf(x) for x in links)}/{len(exports)} got a link"
                   if exports else "no exports made"))  # fmt: skip
    if ws is None:
        checks.append(("5 WebSocket connections held, 0 drops", False, "socket clients wrote no result (see ws.log)"))
    else:
        ws_ok = ws["tickets"] > 0 and ws["opened"] == ws["tickets"] and ws["drops"] == 0 and not ws["failed"]
        checks.append(("5 WebSocket connections held, 0 drops", ws_ok,
                       f"{ws['held']}/{ws['tickets']} held to the end, {ws['drops']} drops, {ws['failed']} failed, "
                       f"{ws['refused']} refused"))  # fmt: skip
    ram = psutil.virtual_memory().total
    memory = (
        f"RSS {sampler.peak_rss / 2**20:,.0f} MiB (PSS {sampler.peak_pss / 2**20:,.0f}) = "
        f"{sampler.peak_rss / ram:.1%} of {ram / 2**30:.1f} GiB; machine peak {sampler.peak_machine_used:.0%} used"
        if root
        else "platform processes not found"
    )
    memory_ok = root is not None and sampler.peak_rss < MEMORY_BAR * ram
    checks.append(("6 peak memory of platform processes < 80% RAM", memory_ok, memory))
    provider = []
    ok_429 = True
    for label, name in (("AI", "platform_ai_provider_429_total"), ("Airtable", "platform_airtable_429_total")):
        a, b = (after.total(name), before.total(name)) if after.present and before.present else (None, None)
        if a is None:
            provider.append(f"{label} 0 (counter absent)")
        else:
            delta = a - (b or 0.0)
            ok_429 = ok_429 and delta == 0
            provider.append(f"{label} {delta:.0f}")
    ours = sum(r["status"] == 429 for r in requests)
    checks.append(
        ("7 provider 429s (AI, Airtable) = 0", ok_429, ", ".join(provider) + f"; platform 429s to us: {ours}")
    )
    checks.append(("8 error rate < 0.1%", error_rate < ERROR_BAR, f"{len(failures):,}/{n:,} = {error_rate:.3%}"))
    final = Counter(states.get(j["jobId"], "not polled") for j in jobs if j.get("jobId"))
    checks.append(("9 background jobs all succeeded", bool(final) and set(final) == {"succeeded"},
                   ", ".join(f"{k} {v}" for k, v in sorted(final.items())) or "no jobs created"))  # fmt: skip
    checks.append(alerts_check())

    busy_ms = busy / n * 1000 if n else math.nan
    platform_cpu = cpu.get("platform", {}).get("total", 0.0)
    locust_cpu = cpu.get("locust", {}).get("total", 0.0)
    ws_cpu = cpu.get("ws clients", {}).get("total", 0.0)
    driver_cpu = cpu.get("driver", {}).get("total", 0.0)
    cores = psutil.cpu_count() or 1
    ours = platform_cpu + locust_cpu + ws_cpu + driver_cpu
    web_ms = cpu.get("platform", {}).get("web (gunicorn)", 0.0) / n * 1000 if n else math.nan

    out = [f"\n=== {phase.name}: {args.users} users, spawn {args.spawn_rate}/s, {args.duration} s, {args.host} ==="]
    out.append(f"command: {' '.join(sys.argv)}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    out.append(table(["check", "result", "measured"], [[c, "PASS" if ok else "FAIL", v] for c, ok, v in checks]))
    rows = []
    for c in [*CLASSES, *sorted(set(by_class) - set(CLASSES))]:
        values = by_class.get(c, [])
        rows.append([c, f"{len(values):,}", f"{errors_by_class[c]:,}", *latency(values)])
    rows.append(["all", f"{n:,}", f"{len(failures):,}", *latency(all_ms)])
    out.append("\n" + table(["endpoint class", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows))
    by_name: dict[str, list[float]] = defaultdict(list)
    for r in requests:
        by_name[r["name"]].append(r["ms"])
    errors_by_name = Counter(r["name"] for r in failures)
    endpoints = {
        name: {"requests": len(v), "errors": errors_by_name[name], "p50": percentile(v, 50),
               "p95": percentile(v, 95), "p99": percentile(v, 99)}
        for name, v in sorted(by_name.items())
    }  # fmt: skip
    if args.by_endpoint:
        rows = [[name, f"{len(v):,}", f"{errors_by_name[name]:,}", *latency(v)] for name, v in sorted(by_name.items())]
        out.append("\n" + table(["endpoint", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows))
    per_role = cpu.get("platform", {})
    roles = ", ".join(
        f"{k} {v:.1f}" for k, v in sorted(per_role.items(), key=lambda kv: -kv[1]) if k != "total" and v >= 0.05
    )
    t0 = min((r["t"] for r in requests), default=0.0)
    ramp_end = t0 + args.users / args.spawn_rate
    settled = [r for r in requests if r["t"] >= ramp_end]
    settled_window = max((r["t"] + r["ms"] / 1000 for r in settled), default=ramp_end) - ramp_end
    shed = [r["ms"] for r in requests if r["status"] == 503]
    admitted = [r["ms"] for r in requests if r["status"] != 503]
    throughput = [
        ["throughput", f"{n / window:.1f} req/s" if window > 0 else "-", f"{n:,} requests in {window:.0f} s"],
        ["after the ramp", f"{len(settled) / settled_window:.1f} req/s" if settled_window > 0 else "-",
         f"from {ramp_end - t0:.0f} s on: p50 {fmt_ms(percentile([r['ms'] for r in settled], 50))}, "
         f"p95 {fmt_ms(percentile([r['ms'] for r in settled], 95))}, "
         f"p99 {fmt_ms(percentile([r['ms'] for r in settled], 99))} ms"],
        ["shed (503)", f"{len(shed):,}", f"p99 of the 503s {fmt_ms(percentile(shed, 99))} ms; admitted requests "
         f"p95 {fmt_ms(percentile(admitted, 95))}, p99 {fmt_ms(percentile(admitted, 99))} ms"],
        ["whole-machine CPU per request", f"{busy_ms:.1f} ms", f"{busy:.1f} CPU-s busy on {cores} cores "
         f"({busy / max(elapsed, 1e-9) / cores:.0%}); the machine is shared: others' work is in it"],
        ["platform processes' CPU per request", f"{platform_cpu / n * 1000:.1f} ms" if n else "-",
         f"{platform_cpu:.1f} CPU-s ({platform_cpu / elapsed / cores:.0%} of {cores} cores): {roles}"],
        ["web CPU per request vs /healthz", f"{web_ms / baseline:.1f}x" if n and baseline > 0 else "-",
         f"gunicorn: {web_ms:.2f} ms a request of the mix, bare /healthz {baseline:.2f} ms (this run, before load)"],
        ["platform + generator CPU per request", f"{ours / n * 1000:.1f} ms" if n else "-",
         "what our side of the machine spent per request, others' work left out"],
        ["load generator CPU (locust)", f"{locust_cpu:.1f} CPU-s",
         f"{locust_cpu / elapsed:.0%} of one core, {locust_cpu / elapsed / cores:.0%} of {cores}"],
        ["socket clients CPU", f"{ws_cpu:.1f} CPU-s", f"{ws_cpu / elapsed:.0%} of one core"],
        ["this driver's CPU (sampling)", f"{driver_cpu:.1f} CPU-s", f"{driver_cpu / elapsed:.0%} of one core"],
    ]  # fmt: skip
    if ws:
        terminal = {"job.succeeded", "job.failed", "job.cancelled"}
        got = sum(1 for j in jobs if ws["jobs"].get(j["jobId"]) in terminal and j["kind"] != "assessment_calculation")
        mine = sum(1 for j in jobs if j["kind"] != "assessment_calculation")
        throughput.append(["socket events", f"{ws['events']:,}",
                           f"final event seen for {got}/{mine} member jobs; by type: "
                           + ", ".join(f"{k} {v}" for k, v in sorted(ws["eventsByType"].items()))
                           + (f"; drops: {ws['dropReasons']}" if ws["dropReasons"] else "")])  # fmt: skip
    out.append("\n" + table(["measure", "value", "detail"], throughput))
    if failures:
        statuses = Counter(r["status"] or "no answer" for r in failures)
        out.append("\nfailed requests by status: " + ", ".join(f"{k} x{v}" for k, v in statuses.most_common()))
        top = Counter((r["name"], r["status"], r.get("code") or "") for r in failures).most_common(8)
        out.append(
            "\nerrors: " + "; ".join(f"{name} -> {status} {code} x{count}" for (name, status, code), count in top)
        )
    report = "\n".join(out)
    print(report, flush=True)
    return {
        "phase": phase.name, "users": args.users, "spawnRate": args.spawn_rate, "duration": args.duration,
        "checks": [{"check": c, "pass": ok, "measured": v} for c, ok, v in checks],
        "requests": n, "errors": len(failures), "reqPerSecond": n / window if window > 0 else None,
        "p95ByClass": {c: p95[c] for c in CLASSES}, "endpoints": endpoints,
        "p50": percentile(all_ms, 50), "p95": percentile(all_ms, 95),
        "p99": percentile(all_ms, 99), "machineCpuMsPerRequest": busy_ms, "shed": len(shed),
        "webCpuMsPerRequest": web_ms, "healthzWebCpuMs": baseline,
        "admittedP99": percentile(admitted, 99),
        "platformCpuMsPerRequest": platform_cpu / n * 1000 if n else None, "platformCpuByRole": dict(per_role),
        "locustCpuSeconds": locust_cpu, "wsClientsCpuSeconds": ws_cpu, "driverCpuSeconds": driver_cpu,
        "elapsed": elapsed, "report": report,
    }  # fmt: skip


def alerts_check() -> tuple[str, bool, str]:
    label = "10 alert rules present (docker/prometheus/alerts.yml)"
    if not ALERTS_FILE.exists():
        return label, False, f"{ALERTS_FILE.relative_to(ROOT)} absent"
    import yaml

    try:
        groups = (yaml.safe_load(ALERTS_FILE.read_text()) or {}).get("groups") or []
    except yaml.YAMLError as exc:
        return label, False, f"not YAML: {exc}"
    names = [f"{g.get('name')} ({len(g.get('rules') or [])})" for g in groups if isinstance(g, dict)]
    ok = bool(groups) and all(isinstance(g, dict) and g.get("rules") for g in groups)
    return label, ok, f"{len(groups)} groups: {', '.join(names)}" if groups else "no rule groups"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5.0, help="people arriving per second")
    parser.add_argument("--duration", type=int, default=120, help="seconds of load per phase, ramp included")
    parser.add_argument("--host", default="http://127.0.0.1:8000")
    parser.add_argument("--ws-url", help="default: ws://<host>:<port + 1>/ws/ (make run's WS_PORT)")
    parser.add_argument("--metrics-url", help="default: <host>/metrics")
    parser.add_argument("--phase", choices=["signup", "steady", "both"], default="signup")
    parser.add_argument("--processes", type=int, default=1, help="locust processes (each about one core at ~300 req/s)")
    parser.add_argument(
        "--job-wait", type=float, default=60.0, help="seconds a person (and the end of the run) waits for a job"
    )
    parser.add_argument(
        "--export-every", type=float, default=600.0, help="seconds between a member's files (on average)"
    )
    parser.add_argument("--ai-every", type=float, default=600.0, help="seconds between a member's AI jobs (at most 2)")
    parser.add_argument("--accounts", type=Path, help="pool file: reuse the steady phase's accounts between runs")
    parser.add_argument("--by-endpoint", action="store_true", help="also print latency per endpoint")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the run directory (raw request records, logs)")
    parser.add_argument("--max-users", type=int, default=MAX_USERS)
    parser.add_argument("--max-duration", type=int, default=MAX_DURATION)
    args = parser.parse_args()
    args.host = args.host.rstrip("/")
    split = urlsplit(args.host)
    args.ws_url = args.ws_url or f"ws://{split.hostname}:{(split.port or 80) + 1}/ws/"
    args.metrics_url = args.metrics_url or f"{args.host}/metrics"
    for url in (args.host, args.ws_url, args.metrics_url):
        loopback_only(url)
    if not 0 < args.users <= args.max_users or not 0 < args.duration <= args.max_duration:
        sys.exit(f"--users must be 1..{args.max_users} and --duration 1..{args.max_duration} s")
    if not 1 <= args.processes <= 8:
        sys.exit("--processes must be 1..8")
    status, _ = http("GET", f"{args.host}/healthz", timeout=10)
    if status != 200:
        sys.exit(f"{args.host}/healthz answered {status}: start the platform first (README: Load test)")

    run_id = uuid.uuid4().hex[:8]
    password = f"Lb-{uuid.uuid4().hex}"
    base = Path(tempfile.mkdtemp(prefix=f"loadbench-{run_id}-"))
    results = []
    try:
        for name in ["signup", "steady"] if args.phase == "both" else [args.phase]:
            results.append(run_phase(Phase(name, base / name, args), run_id, password))
    finally:
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str))
        if args.keep:
            print(f"\nrun directory kept: {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    sys.exit(0 if all(all(c["pass"] for c in r["checks"]) for r in results) else 1)


if __name__ == "__main__":
    main()
