"""Every SQL statement timed on the Django side; slow ones logged with their request id and shape.

Installed on each connection object as it connects (connection_created), so requests, tasks and
management commands are all covered. The SQL logged is Django's parametrised text (`%s` where the
values go): the shape of the query, never its values.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from platform_core.observability.context import context_current
from platform_core.observability.metrics import DB_QUERY_LATENCY, DB_SLOW_QUERIES

logger = logging.getLogger("platform.db.slow")
SQL_SHAPE_MAX = 1000


class QueryTimer:
    """A connection's execute wrapper: one histogram observation per statement."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.histogram = DB_QUERY_LATENCY.labels(alias)
        self.slow_seconds = settings.SLOW_QUERY_MS / 1000

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            self.histogram.observe(elapsed)
            ctx = context_current()
            if ctx is not None:
                ctx.db_count += 1
                ctx.db_seconds += elapsed
            if elapsed >= self.slow_seconds:
                DB_SLOW_QUERIES.labels(self.alias).inc()
                logger.warning(
                    "slow query: %.0f ms on %s",
                    elapsed * 1000,
                    self.alias,
                    extra={"duration_ms": round(elapsed * 1000, 1), "db_alias": self.alias, "sql": sql[:SQL_SHAPE_MAX]},
                )


def _install(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if not any(isinstance(wrapper, QueryTimer) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(QueryTimer(connection.alias))


def query_timing_install() -> None:
    connection_created.connect(_install, dispatch_uid="platform_observability_query_timer")
