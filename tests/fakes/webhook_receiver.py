"""A webhook receiver on 127.0.0.1 (a customer's endpoint, or a Make.com scenario URL): answers
with a scripted sequence of statuses, can hang, and records every request it got."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    def __init__(self, statuses: list[int] | None = None, *, default_status: int = 200, body: str = "ok") -> None:
        self.statuses = list(statuses or [])
        self.default_status = default_status
        self.body = body
        self.requests: list[ReceivedRequest] = []
        self.hang = threading.Event()  # set: requests wait until `release` is set
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def _respond(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length", 0))
        received = ReceivedRequest(
            path=handler.path,
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=handler.rfile.read(length),
        )
        with self._lock:
            self.requests.append(received)
            status = self.statuses.pop(0) if self.statuses else self.default_status
        if self.hang.is_set():
            self.release.wait(60)
        payload = self.body.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json" if self.body.startswith("{") else "text/plain")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                with suppress(BrokenPipeError, ConnectionResetError):  # the sender went away (killed worker)
                    receiver._respond(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()


@contextmanager
def webhook_receiver(statuses: list[int] | None = None, **kwargs: Any) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(statuses, **kwargs).start()
    try:
        yield receiver
    finally:
        receiver.stop()
