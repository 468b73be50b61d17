"""One middleware per request: its context for logs, three metric observations and one log line.

Placed right after RequestIDMiddleware. The route label is the resolved URL name
(`resolver_match.view_name`), "unmatched" for a 404 without one: never the raw path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from platform_core.observability.context import context_begin, context_current, context_end
from platform_core.observability.errors import sentry_request_tag
from platform_core.observability.metrics import (
    DB_POOL_IN_USE,
    DB_POOL_SIZE,
    DB_POOL_WAITING,
    DB_QUERIES_PER_REQUEST,
    DB_TIME_PER_REQUEST,
    HTTP_IN_FLIGHT,
    HTTP_LATENCY,
    HTTP_REQUESTS,
)

logger = logging.getLogger("platform.request")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
POOL_SAMPLE_SECONDS = 5.0


def _user_fields(request: HttpRequest) -> dict[str, Any]:
    """The user DRF or the session resolved, without resolving it here (no extra query)."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = None if user._wrapped is empty else user._wrapped
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    return {"user_id": user.pk, "customer_id": getattr(user, "customer_id", None)}


class ObservabilityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.log_requests = settings.LOG_REQUESTS
        self._next_pool_sample = 0.0
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        request_id = getattr(request, "request_id", "")
        token = context_begin(request_id=request_id)
        sentry_request_tag(request_id)
        if start >= self._next_pool_sample:
            self._next_pool_sample = start + POOL_SAMPLE_SECONDS
            self._sample_pools()
        HTTP_IN_FLIGHT.inc()
        try:
            response = self.get_response(request)
        finally:
            HTTP_IN_FLIGHT.dec()
        try:
            self._observe(request, response, start, request_id)
        finally:
            context_end(token)
        return response

    def _observe(self, request: HttpRequest, response: HttpResponse, start: float, request_id: str) -> None:
        elapsed = time.perf_counter() - start
        match = request.resolver_match
        route = (match.view_name or "unnamed") if match is not None else "unmatched"
        method = request.method if request.method in METHODS else "OTHER"
        status = response.status_code
        key = (route, method or "OTHER", status)
        children = self._children.get(key)
        if children is None:
            children = (HTTP_REQUESTS.labels(route, key[1], str(status)), HTTP_LATENCY.labels(route, key[1]))
            if len(self._children) < 5000:  # bounded: routes x methods x statuses
                self._children[key] = children
        children[0].inc()
        children[1].observe(elapsed)
        ctx = context_current()
        if ctx is not None:
            DB_QUERIES_PER_REQUEST.observe(ctx.db_count)
            DB_TIME_PER_REQUEST.observe(ctx.db_seconds)
        if self.log_requests:
            user = _user_fields(request)
            logger.info(
                "%s %s %s %.1fms",
                method,
                route,
                status,
                elapsed * 1000,
                extra={
                    "route": route, "method": method, "status": status, "duration_ms": round(elapsed * 1000, 2),
                    "db_queries": ctx.db_count if ctx else 0, **user,
                },
            )  # fmt: skip

    def _sample_pools(self) -> None:
        """Pools this process has opened (asking `connection.pool` would open one, e.g. the replica's)."""
        for alias in connections:
            pool = getattr(type(connections[alias]), "_connection_pools", {}).get(alias)
            if pool is None:
                continue
            stats = pool.get_stats()
            size = stats.get("pool_size", 0)
            DB_POOL_SIZE.labels(alias).set(size)
            DB_POOL_IN_USE.labels(alias).set(size - stats.get("pool_available", 0))
            DB_POOL_WAITING.labels(alias).set(stats.get("requests_waiting", 0))
