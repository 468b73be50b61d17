"""What several benchmarks share: server processes, CPU accounting, percentiles."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from scripts.stack import wait_for_port

ROOT = Path(__file__).resolve().parent.parent
WEB_WORKERS = 3  # as deployed on 2 cores (scripts/serve.sh, docker/Dockerfile)


def start_gunicorn(
    app: str,
    *,
    port: int,
    workers: int,
    env: dict[str, str],
    extra: list[str] | None = None,
    output: IO[bytes] | None = None,
) -> subprocess.Popen[bytes]:
    """gunicorn as deployed (config/gunicorn.conf.py: worker model from WEB_WORKER_CLASS / WEB_THREADS in
    `env`) serving `app`, without an access log, its output to `output` (a log file) or the terminal;
    returns once every worker answers /healthz."""
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), app, "--config", str(ROOT / "config/gunicorn.conf.py"),
         "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", *(extra or [])],
        cwd=ROOT, env={"WEB_ACCESS_LOG": "", **env}, stdout=output, stderr=output,
    )  # fmt: skip
    wait_for_port(port, proc=proc, name="gunicorn")
    # Workers import the app after the port opens: wait until they answer.
    deadline, answered = time.monotonic() + 120, 0
    while answered < 4 * workers and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as response:
                answered += response.status == 200
        except OSError:
            time.sleep(0.2)
    return proc


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of processes (e.g. gunicorn's workers), from /proc."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def percentiles(values: list[float]) -> tuple[float, float]:
    """p50 and p95."""
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49], q[94]


WRK_THREADS = 2

# Appended to every wrk script: one JSON line with the totals, latencies in microseconds. A script
# may count what it saw per thread in `accepted` (e.g. 202s from a response() hook); they are summed.
WRK_REPORT = """
local _threads = {}
local _setup = setup
setup = function(thread)
  table.insert(_threads, thread)
  if _setup then _setup(thread) end
end
done = function(summary, latency, requests)
  local e, accepted = summary.errors, 0
  for _, thread in ipairs(_threads) do accepted = accepted + (thread:get("accepted") or 0) end
  io.write(string.format('RESULT {"requests": %d, "us": %d, "p50": %d, "p95": %d, "p99": %d, '
    .. '"non2xx": %d, "errors": %d, "accepted": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout, accepted))
end
"""


def wrk(
    url: str, *, seconds: float, connections: int, script: str = "", workers: list[int],
    headers: Sequence[str] = (), script_args: Sequence[str] = (),
) -> dict:  # fmt: skip
    """One wrk run with `script` (Lua) plus WRK_REPORT: its totals, req/s and the CPU the
    server's `workers` spent per request."""
    script_path = Path(tempfile.mkstemp(suffix=".lua")[1])
    script_path.write_text(script + WRK_REPORT)
    cpu_before = cpu_seconds(workers)
    try:
        out = subprocess.run(
            ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds:.0f}s", "--timeout", "10s",
             "-s", str(script_path), *(arg for header in headers for arg in ("-H", header)), url, *script_args],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        script_path.unlink(missing_ok=True)
    match = re.search(r"^RESULT (.*)$", out, re.MULTILINE)
    assert match, out
    result: dict = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["us"] / 1e6)
    result["cpu_ms"] = (cpu_seconds(workers) - cpu_before) * 1000 / max(1, result["requests"])
    return result


def timed(fn: Callable[[], Any], iterations: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return q[49], q[94]


def table(title: str, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)))
