"""A real `celery worker` process on the test database, for tests that need tasks to run.

Tests using it need `@pytest.mark.django_db(transaction=True)`: the worker is another process and
only sees committed rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection

ALL_QUEUES = "default,assessments,ai,exports,email,airtable,research,webhooks"


def test_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def platform_env(**extra: str) -> dict[str, str]:
    """The environment of a platform process (worker, gunicorn, daphne) started by a test."""
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DB_POOL_MIN_SIZE": "1",
        "DB_POOL_MAX_SIZE": "10",
        "CELERY_EXTRA_IMPORTS": "tests.support.tasks",
        "CELERY_TASK_IGNORE_RESULT": "false",  # some tests read a task's return value
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    env.update(extra)
    return env


class CeleryWorker:
    """Start, kill -9 and restart a real Celery worker (prefork) consuming `queues`."""

    def __init__(self, *, queues: str = ALL_QUEUES, concurrency: int = 2, env: dict[str, str] | None = None) -> None:
        self.queues = queues
        self.concurrency = concurrency
        self.extra_env = env or {}
        self.log_path = Path(tempfile.mkstemp(prefix="mp-worker-", suffix=".log")[1])
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> CeleryWorker:
        offset = self.log_path.stat().st_size
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "--app", "config", "worker", "--queues", self.queues,
             "--concurrency", str(self.concurrency), "--pool", "prefork", "--loglevel", "INFO",
             "--without-mingle", "--without-gossip", "--hostname", f"test-{uuid.uuid4().hex[:8]}@%h"],
            env=platform_env(**self.extra_env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited:\n{self.log()}")
            if " ready." in self.log()[offset:]:
                return self
            time.sleep(0.1)
        raise RuntimeError(f"celery worker not ready within {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def child_pids(self) -> list[int]:
        """The prefork pool processes (the ones that run tasks)."""
        assert self.proc is not None
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def kill(self) -> None:
        """kill -9 the whole worker: main process and pool, as a machine losing it would."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(
    predicate: Callable[[], Any], *, timeout: float = 30, interval: float = 0.1, what: str = "condition"
) -> Any:
    """Poll until `predicate()` is truthy; returns its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class CeleryBeat:
    """A real `celery beat` (the schedules of config/settings.py) for tests of what only beat sweeps up."""

    def __init__(self, *, env: dict[str, str] | None = None) -> None:
        self.extra_env = env or {}
        self.dir = Path(tempfile.mkdtemp(prefix="mp-beat-"))
        self.log_path = self.dir / "beat.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> CeleryBeat:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "--app", "config", "beat", "--loglevel", "INFO",
                 "--schedule", str(self.dir / "schedule")],
                env=platform_env(**self.extra_env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        wait_for(lambda: "beat: Starting" in self.log(), timeout=timeout, what="celery beat to start")
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
