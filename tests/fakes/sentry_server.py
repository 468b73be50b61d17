"""A small Sentry ingest server on 127.0.0.1 that keeps the envelopes the real sentry-sdk sends.

It speaks the envelope endpoint (POST /api/<project>/envelope/, gzip/deflate bodies, the
X-Sentry-Auth key checked against the DSN's; gzip, deflate or br) and can answer 429 with Retry-After or 500 on demand,
as Sentry does under load. DSN: `http://<key>@127.0.0.1:<port>/<project>`.
"""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PUBLIC_KEY = "0123456789abcdef0123456789abcdef"
PROJECT = "42"


def parse_envelope(body: bytes) -> tuple[dict[str, Any], list[tuple[dict[str, Any], Any]]]:
    """(envelope header, [(item header, payload)]); JSON payloads decoded, others left as bytes."""
    header_line, _, rest = body.partition(b"\n")
    items: list[tuple[dict[str, Any], Any]] = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        item = json.loads(item_line)
        if "length" in item:
            payload, rest = rest[: item["length"]], rest[item["length"] :]
            rest = rest[1:] if rest.startswith(b"\n") else rest
        else:
            payload, _, rest = rest.partition(b"\n")
        try:
            items.append((item, json.loads(payload)))
        except ValueError:
            items.append((item, payload))
    return json.loads(header_line), items


class SentryInbox:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.raw: list[bytes] = []
        self.items: list[tuple[dict[str, Any], Any]] = []
        self.rejected = 0
        self.next_status: list[int] = []  # e.g. [429, 500]: answered to the next envelopes, in order
        self.port = 0

    @property
    def dsn(self) -> str:
        return f"http://{PUBLIC_KEY}@127.0.0.1:{self.port}/{PROJECT}"

    def of_type(self, item_type: str) -> list[dict[str, Any]]:
        with self.lock:
            return [payload for header, payload in self.items if header.get("type") == item_type]

    def events(self) -> list[dict[str, Any]]:
        return self.of_type("event")

    def transactions(self) -> list[dict[str, Any]]:
        return self.of_type("transaction")

    def everything(self) -> str:
        with self.lock:
            return b"\n".join(self.raw).decode(errors="replace")


def _handler(inbox: SentryInbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if self.path.rstrip("/") != f"/api/{PROJECT}/envelope":
                self._answer(404, {"detail": "unknown endpoint"})
                return
            auth = self.headers.get("X-Sentry-Auth", "")
            if f"sentry_key={PUBLIC_KEY}" not in auth:
                self._answer(401, {"detail": "invalid api key"})
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            encoding = (self.headers.get("Content-Encoding") or "").lower()
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            elif encoding == "br":  # the SDK uses brotli when the package is installed
                import brotli

                body = brotli.decompress(body)
            elif encoding:
                self._answer(415, {"detail": f"unsupported encoding {encoding}"})
                return
            with inbox.lock:
                status = inbox.next_status.pop(0) if inbox.next_status else 200
                if status != 200:
                    inbox.rejected += 1
            if status == 429:
                self._answer(429, {"detail": "rate limited"}, {"Retry-After": "1", "X-Sentry-Rate-Limits": "1::org"})
                return
            if status != 200:
                self._answer(status, {"detail": "ingest failed"})
                return
            header, items = parse_envelope(body)
            with inbox.lock:
                inbox.raw.append(body)
                inbox.items.extend(items)
            self._answer(200, {"id": header.get("event_id", "")})

    return Handler


@contextmanager
def sentry_server() -> Iterator[SentryInbox]:
    inbox = SentryInbox()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(inbox))
    inbox.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield inbox
    finally:
        server.shutdown()
        server.server_close()
