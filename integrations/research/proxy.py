"""The checking proxy every browser of this process connects through (a thread on 127.0.0.1).

Chromium sends every request (navigations, redirects, subresources, WebSockets) here instead of
resolving names itself. The proxy resolves the host once, refuses private/loopback/link-local
answers (fetch_rules.host_resolve) and connects to the very address it checked, so DNS rebinding
cannot slip a private address in between the check and the connection. It also counts the bytes a
page receives and cuts the page off at RESEARCH_MAX_PAGE_BYTES.
"""

from __future__ import annotations

import logging
import select
import socket
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

from integrations.research.errors import ResearchError
from integrations.research.fetch_rules import host_resolve

logger = logging.getLogger(__name__)

MAX_HEAD = 64 * 1024
IDLE_SECONDS = 30.0


@dataclass
class PageBudget:
    """What the page being rendered now has received and been refused (one page per process at a time)."""

    bytes_received: int = 0
    over_budget: bool = False
    refused: list[dict[str, str]] = field(default_factory=list)

    def refused_private(self) -> dict[str, str] | None:
        return next((r for r in self.refused if r["code"] == "url_not_allowed"), None)


class CheckingProxy:
    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.budget = PageBudget()
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, name="research-proxy", daemon=True).start()

    def page_begin(self) -> PageBudget:
        with self._lock:
            self.budget = PageBudget()
            return self.budget

    def refused_host(self, host: str) -> dict[str, str] | None:
        return next((r for r in self.budget.refused if r["host"] == host), None)

    def _serve(self) -> None:
        while True:
            client, _ = self._server.accept()
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _refuse(self, client: socket.socket, host: str, exc: ResearchError) -> None:
        self.budget.refused.append({"host": host, "code": exc.code, "message": exc.message})
        status = b"403 Forbidden" if exc.code == "url_not_allowed" else b"502 Bad Gateway"
        client.sendall(
            b"HTTP/1.1 " + status + b"\r\nX-Research-Refused: " + exc.code.encode()
            + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )  # fmt: skip

    def _handle(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            client.settimeout(settings.BROWSER_PAGE_TIMEOUT_S)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(8192)
                if not chunk or len(head) > MAX_HEAD:
                    return
                head += chunk
            head, rest = head.split(b"\r\n\r\n", 1)
            request_line, *headers = head.decode("latin-1").split("\r\n")
            method, target, version = request_line.split(" ", 2)
            if method == "CONNECT":
                host, _, port_text = target.rpartition(":")
                host, port = host.strip("[]"), int(port_text)
            else:
                parts = urlsplit(target)
                if parts.scheme != "http" or not parts.hostname:
                    return
                host, port = parts.hostname, parts.port or 80
            try:
                addresses = host_resolve(host, port)
            except ResearchError as exc:
                logger.debug("research proxy refused %s:%s (%s)", host, port, exc.code)
                self._refuse(client, host, exc)
                return
            upstream = socket.create_connection((str(addresses[0]), port), timeout=settings.BROWSER_PAGE_TIMEOUT_S)
            if method == "CONNECT":
                client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            else:
                path = urlsplit(target)._replace(scheme="", netloc="").geturl() or "/"
                kept = [
                    h for h in headers if h.split(":", 1)[0].strip().lower() not in ("proxy-connection", "connection")
                ]
                forwarded = "\r\n".join([f"{method} {path} {version}", *kept, "Connection: close"]) + "\r\n\r\n"
                upstream.sendall(forwarded.encode("latin-1"))
            if rest:
                upstream.sendall(rest)
            self._pipe(client, upstream)
        except (OSError, ValueError):
            return
        finally:
            client.close()
            if upstream is not None:
                upstream.close()

    def _pipe(self, client: socket.socket, upstream: socket.socket) -> None:
        budget = self.budget
        limit = settings.RESEARCH_MAX_PAGE_BYTES
        sockets = [client, upstream]
        while True:
            readable, _, _ = select.select(sockets, [], [], IDLE_SECONDS)
            if not readable:
                return
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                if sock is upstream:
                    budget.bytes_received += len(data)
                    if budget.bytes_received > limit:
                        budget.over_budget = True
                        return
                    client.sendall(data)
                else:
                    upstream.sendall(data)


_proxy: CheckingProxy | None = None
_proxy_lock = threading.Lock()


def checking_proxy() -> CheckingProxy:
    global _proxy
    with _proxy_lock:
        if _proxy is None:
            _proxy = CheckingProxy()
        return _proxy
