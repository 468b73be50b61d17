"""Real gunicorn (config/gunicorn.conf.py) and Celery processes sharing one metrics directory and a
broker database of their own (so no other test's worker takes their tasks), for observability tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from celery import Celery
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from scripts.stack import free_port, stop, wait_for_port
from tests.support.worker import CeleryWorker, platform_env

BROKER_DB = 11  # not used by the platform (0 broker, 1 cache, 2 channels, 3 results, 4 AI)


def observed_env(metrics_dir: str, **extra: str) -> dict[str, str]:
    return {
        "PROMETHEUS_MULTIPROC_DIR": metrics_dir,
        "LOG_FORMAT": "json",
        "CELERY_BROKER_URL": f"{settings.REDIS_URL}/{BROKER_DB}",
        "DJANGO_ENV": "test",
        **extra,
    }


def http(
    url: str, *, method: str = "GET", headers: dict[str, str] | None = None, body: Any = None
) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=90) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Gunicorn:
    def __init__(self, *, workers: int, env: dict[str, str], app: str = "config.wsgi") -> None:
        self.workers = workers
        self.app = app
        self.port = free_port()
        self.env = env
        self.log_path = Path(tempfile.mkstemp(prefix="mp-obs-gunicorn-", suffix=".log")[1])
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gunicorn:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", self.app, "--config", "config/gunicorn.conf.py",
                 "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}", "--timeout", "120"],
                env=platform_env(**self.env), stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_for_port(self.port, proc=self.proc, name="gunicorn", timeout=180)
        deadline = time.monotonic() + 90
        while len(self.worker_pids()) < self.workers or http(f"{self.url}/healthz")[0] != 200:
            assert time.monotonic() < deadline, f"gunicorn workers did not start:\n{self.log()}"
            time.sleep(0.2)
        return self

    def worker_pids(self) -> list[int]:
        assert self.proc is not None
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def json_lines(self) -> list[dict[str, Any]]:
        return json_lines(self.log())

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def observed_worker(
    metrics_dir: str, *, queues: str = "default,ai,assessments,email,research", **extra: str
) -> CeleryWorker:
    return CeleryWorker(queues=queues, concurrency=2, env=observed_env(metrics_dir, **extra))


def broker_app() -> Celery:
    """Sends to the observed processes' broker database (the test process's own app uses another).

    Not made the current app: `current_app.send_task` in the code under test must keep reaching the session worker.
    """
    return Celery("observability-tests", broker=f"{settings.REDIS_URL}/{BROKER_DB}", set_as_current=False)


def scrape(base_url: str, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} of GET /metrics."""
    status, _, body = http(f"{base_url}/metrics", headers=headers)
    assert status == 200, body
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def series(samples: dict, name: str) -> list[dict[str, str]]:
    return [dict(labels) for (sample_name, labels) in samples if sample_name == name]


def new_metrics_dir() -> str:
    return tempfile.mkdtemp(prefix="mp-obs-metrics-")


def cleanup_dir(path: str) -> None:
    for name in os.listdir(path):
        os.unlink(os.path.join(path, name))
    os.rmdir(path)


class Uvicorn:
    """uvicorn serving config.asgi (the /ws/ socket) on the test database, patient on a busy machine."""

    def __init__(self, *, env: dict[str, str]) -> None:
        self.port = free_port()
        self.env = env
        self.log_path = Path(tempfile.mkstemp(prefix="mp-obs-uvicorn-", suffix=".log")[1])
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    def start(self) -> Uvicorn:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(self.port),
                 "config.asgi:application"],
                env=platform_env(**self.env), stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            wait_for_port(self.port, proc=self.proc, name="uvicorn", timeout=180)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{self.log_path.read_text(errors='replace')}") from exc
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
