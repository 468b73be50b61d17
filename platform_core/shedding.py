"""Overload answered fast: a gunicorn thread worker whose queue of accepted requests is bounded in time.

Every web process accepts connections into its thread pool at once (so the wait is ours to see, not
hidden in the kernel's backlog) and stamps each request with the moment it was queued. A request that
waited longer than `WEB_SHED_AFTER_MS` for a thread is answered 503 `overloaded` with Retry-After before
Django sees it: under a burst the requests that can be served in time are, the rest learn at once to come
back, and nobody hangs for 30 s. Health checks are never shed, so a load balancer sees a busy instance as
alive. Served with `--worker-class platform_core.shedding.SheddingThreadWorker` (config/gunicorn.conf.py).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

SHED_AFTER_S = int(os.environ.get("WEB_SHED_AFTER_MS", "1000")) / 1000
RETRY_AFTER_S = 1
PROBE_PATHS = ("/healthz", "/readyz", "/metrics")  # never shed; no cookie session either (middleware.py)
BODY = json.dumps(
    {
        "error": {
            "code": "overloaded",
            "message": "The service is busy. Please retry shortly.",
            "details": {"retryAfter": RETRY_AFTER_S},
        }
    }
).encode()

_waited = threading.local()  # how long the request the current thread serves waited for it


def queue_wait_seconds() -> float:
    """Seconds the current request waited for a thread (0 outside the shedding worker)."""
    return float(getattr(_waited, "seconds", 0.0))


def shed_metrics() -> tuple[Callable[[], None], Callable[[float], None]]:
    """(count a shed request, observe a request's queue wait) in the platform's metrics when installed."""
    try:
        from platform_core.observability.metrics import HTTP_QUEUE_WAIT, HTTP_SHED
    except ImportError:  # pragma: no cover - metrics not installed
        return lambda: None, lambda seconds: None
    return HTTP_SHED.inc, HTTP_QUEUE_WAIT.observe


def shedding(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """WSGI middleware: 503 for a request that waited too long in this worker's queue."""
    count_shed, observe_wait = shed_metrics()

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        waited = queue_wait_seconds()
        observe_wait(waited)  # the saturation signal before any request is shed (ApiQueueWaitHigh)
        if waited > SHED_AFTER_S and not environ.get("PATH_INFO", "").startswith(PROBE_PATHS):
            count_shed()
            start_response(
                "503 Service Unavailable",
                [
                    ("Content-Type", "application/json"),
                    ("Content-Length", str(len(BODY))),
                    ("Retry-After", str(RETRY_AFTER_S)),
                ],
            )
            return [BODY]
        return app(environ, start_response)

    return wsgi


class SheddingThreadWorker(ThreadWorker):
    """gunicorn's gthread worker that times each request's wait for a thread and sheds the late ones."""

    wsgi: Callable[..., Iterable[bytes]]

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = shedding(self.wsgi)

    def enqueue_req(self, conn: Any) -> None:
        conn.queued_at = time.monotonic()
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        _waited.seconds = time.monotonic() - getattr(conn, "queued_at", time.monotonic())
        return super().handle(conn)
