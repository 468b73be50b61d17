"""A real gunicorn serving the platform (config/gunicorn.conf.py, as `make run` does) on the test database."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from scripts.stack import free_port, stop, wait_for_port
from tests.support.worker import platform_env


class WebServer:
    def __init__(self, **env: str) -> None:
        self.port = free_port()
        self.env = env
        self.log_path = Path(tempfile.mkstemp(prefix="mp-gunicorn-", suffix=".log")[1])
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> WebServer:
        env = platform_env(HTTP_PORT=str(self.port), DJANGO_ENV="test", **self.env)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py"],
                env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_for_port(self.port, proc=self.proc, name="gunicorn")
        deadline = time.monotonic() + timeout
        while True:  # workers import the app after the port opens
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=10) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return self
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer\n{self.log()}") from None
                time.sleep(0.1)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
