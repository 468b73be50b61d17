"""scripts/ws_server.sh, the ws process of `make run` (config/supervisord.conf): WS_SERVER picks uvicorn
(the default) or daphne, and either serves the socket."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from scripts.stack import free_port, wait_for_port
from tests.realtime.server import APP_ORIGIN, SERVERS
from tests.realtime.test_sockets import connected, frame, live, run
from tests.support.worker import platform_env

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ws_server.sh"


def script_env(port: int, **extra: str) -> dict[str, str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"  # the venv's servers
    return platform_env(BIND_HOST="127.0.0.1", WS_PORT=str(port), CORS_ALLOWED_ORIGINS=APP_ORIGIN, PATH=path, **extra)


@contextmanager
def ws_server_script(port: int, server: str) -> Iterator[subprocess.Popen[bytes]]:
    """scripts/ws_server.sh as supervisord runs it; its output is shown when the server does not come up."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [str(SCRIPT)],
            env=script_env(port, WS_SERVER=server),
            cwd=SCRIPT.parents[1],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            try:
                wait_for_port(port, proc=proc, name=server, timeout=90)
            except RuntimeError:
                log.seek(0)
                raise RuntimeError(log.read().decode(errors="replace")) from None
            yield proc
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)


@live
@pytest.mark.parametrize("server", SERVERS)
def test_ws_server_runs_the_server_ws_server_names_and_it_serves_the_socket(server, user):
    port = free_port()
    with ws_server_script(port, server) as proc:
        # The script execs the server: its process is the one WS_SERVER named.
        command_line = [
            Path(part.decode()).name for part in Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        ]
        assert server in command_line and not (set(SERVERS) - {server}) & set(command_line), command_line

        async def scenario():
            ws = await connected(SimpleNamespace(url=f"ws://127.0.0.1:{port}/ws/"), user)
            await ws.send('{"action": "ping"}')
            pong = await frame(ws)
            await ws.close()
            return pong

        assert run(scenario()) == {"type": "pong"}


def test_an_unknown_ws_server_is_refused():
    result = subprocess.run(
        [str(SCRIPT)], env=script_env(free_port(), WS_SERVER="tornado"), capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "WS_SERVER must be uvicorn or daphne, not 'tornado'" in result.stderr
