"""A real uvicorn process serving config.asgi on a free port (as supervisord runs it), on the test database."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from scripts.stack import free_port, stop, wait_for_port
from tests.support.worker import platform_env

APP_ORIGIN = "http://app.example.test"


class AsgiServer:
    def __init__(self, *, ping_interval: int = 1, ping_timeout: int = 3) -> None:
        self.port = free_port()
        self.ping = (ping_interval, ping_timeout)
        self.log_path = Path(tempfile.mkstemp(prefix="mp-daphne-", suffix=".log")[1])
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    def start(self) -> AsgiServer:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(self.port),
                 "--ws-ping-interval", str(self.ping[0]), "--ws-ping-timeout", str(self.ping[1]),
                 "config.asgi:application"],
                env=platform_env(CORS_ALLOWED_ORIGINS=APP_ORIGIN), stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            wait_for_port(self.port, proc=self.proc, name="uvicorn")
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{self.log()}") from exc
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
