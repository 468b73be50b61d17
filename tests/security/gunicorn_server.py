"""A real gunicorn (sync workers, as in production) serving config.wsgi on the test database."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from scripts.stack import free_port, stop, wait_for_port
from tests.support.worker import platform_env


class GunicornServer:
    def __init__(self, *, workers: int = 3, threads: int = 1, **env: str) -> None:
        self.port = free_port()
        self.workers, self.threads, self.env = workers, threads, env
        self.log_path = Path(tempfile.mkstemp(prefix="mp-gunicorn-", suffix=".log")[1])
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> GunicornServer:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(self.workers),
                 "--threads", str(self.threads), "--bind", f"127.0.0.1:{self.port}", "--timeout", "120"],
                env=platform_env(DJANGO_ENV="test", **self.env), stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_for_port(self.port, proc=self.proc, name="gunicorn")
        deadline = time.monotonic() + 60
        while self.call("/healthz")[0] != 200:
            assert time.monotonic() < deadline, self.log_path.read_text()
            time.sleep(0.2)
        return self

    def call(
        self, path: str, body: Any = None, *, token: str = "", headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """One request on a new connection: (status, parsed JSON body or None)."""
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, headers=all_headers)  # noqa: S310 - loopback
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return int(response.status), _json(response.read())
        except urllib.error.HTTPError as exc:
            return int(exc.code), _json(exc.read())
        except OSError:
            return 0, None

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return None
