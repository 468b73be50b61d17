"""What several benchmarks share: server processes, CPU accounting, percentiles."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path

from scripts.stack import wait_for_port

ROOT = Path(__file__).resolve().parent.parent


def start_gunicorn(
    app: str, *, port: int, workers: int, env: dict[str, str], extra: list[str] | None = None
) -> subprocess.Popen[bytes]:
    """gunicorn (sync workers, as in production) serving `app`; returns once every worker answers /healthz."""
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), app, "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", *(extra or [])],
        cwd=ROOT, env=env,
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
