"""A real uvicorn (or daphne: WS_SERVER=daphne) process serving config.asgi on a free port, as
scripts/ws_server.sh runs it under supervisord, on the test database."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from scripts.stack import free_port, stop, wait_for_port
from tests.support.worker import platform_env

APP_ORIGIN = "http://app.example.test"


SERVERS = ("uvicorn", "daphne")


class AsgiServer:
    def __init__(self, *, server: str = "uvicorn", ping_interval: int = 1, ping_timeout: int = 3) -> None:
        assert server in SERVERS, server
        self.server = server
        self.port = free_port()
        self.ping = (ping_interval, ping_timeout)
        self.log_path = Path(tempfile.mkstemp(prefix=f"mp-{server}-", suffix=".log")[1])
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    def command(self) -> list[str]:
        interval, timeout = (str(value) for value in self.ping)
        if self.server == "daphne":
            return [
                sys.executable,
                "-m",
                "daphne",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--ping-interval",
                interval,
                "--ping-timeout",
                timeout,
                "--websocket-max-message-size",
                "65536",
                "config.asgi:application",
            ]
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--ws-ping-interval",
            interval,
            "--ws-ping-timeout",
            timeout,
            "--ws-max-size",
            "65536",
            "config.asgi:application",
        ]

    def start(self) -> AsgiServer:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.command(),
                env=platform_env(CORS_ALLOWED_ORIGINS=APP_ORIGIN),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_port(self.port, proc=self.proc, name=self.server)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{self.log()}") from exc
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
