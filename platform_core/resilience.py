"""Lost connections to PostgreSQL and Redis: noticed cheaply, retried once where safe, else 503, never 500.

A PostgreSQL restart or failover terminates every client connection; a Redis restart (or `CLIENT KILL`)
drops every client. Without care the pools then hand out dead connections and each one becomes a 500.

- Database: `PoolCheck` is the pool's check on checkout. It costs no round trip: a terminated
  backend leaves its FATAL message (or EOF) on the socket, so an idle connection whose socket is
  readable is verified with a real round trip (and discarded by the pool when dead); a quiet socket
  is handed out as is. A connection idle for longer than DB_POOL_CHECK_IDLE_SECONDS is always verified
  (a peer that vanished without a word leaves nothing to read).
- Redis: `redis_retry()` is the retry policy of the redis-py clients (cache and gate, broker results,
  limiter): a dropped connection is reconnected and the command sent again once; a timeout is not
  retried, so a frozen server costs one socket timeout (2 s), not a hang.
- Whatever still fails (the server is down, or a connection died mid-request) reaches
  `DependencyFailureMiddleware`: a safe request (GET/HEAD/OPTIONS) is run once more on fresh
  connections; otherwise, or when that fails too, the answer is 503 `dependency_unavailable` naming
  the dependency (`database`, `redis` or `broker`) with Retry-After. Writes are not replayed: the first
  attempt may have committed.
"""

from __future__ import annotations

import logging
import select
import sys
import time
from collections.abc import Callable
from typing import Any

import psycopg
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from psycopg_pool import ConnectionPool, PoolTimeout

logger = logging.getLogger(__name__)

FAILURE_ATTR = "_dependency_failure"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# SQLSTATEs of a connection that is gone: class 08 (connection exception), admin/crash shutdown, cannot connect now.
_LOST_SQLSTATES = ("08", "57P01", "57P02", "57P03")


# --- classification -------------------------------------------------------------------------------------
def dependency_of(exc: BaseException | None) -> str | None:
    """`database`, `redis` or `broker` when `exc` (or what caused it) is a lost or refused connection."""
    import kombu.exceptions
    import psycopg
    import psycopg_pool
    import redis.exceptions
    from django import db

    seen = 0
    while exc is not None and seen < 6:
        if isinstance(exc, psycopg_pool.PoolTimeout | psycopg.InterfaceError | db.InterfaceError):
            return "database"
        if isinstance(exc, psycopg.OperationalError):
            sqlstate = getattr(exc, "sqlstate", None)
            if sqlstate is None or sqlstate.startswith(_LOST_SQLSTATES):
                return "database"
            return None  # a query cancelled by statement_timeout and the like: not a lost connection
        if isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
            return "redis"
        if isinstance(exc, kombu.exceptions.OperationalError):
            return "broker"
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def mark_failure(request: Any, exc: BaseException) -> str | None:
    """Remember on the (Django) request which dependency failed it; returns that name."""
    name = dependency_of(exc)
    if name is not None and request is not None:
        setattr(getattr(request, "_request", request), FAILURE_ATTR, name)
    return name


def unavailable_response(name: str) -> JsonResponse:
    body = {
        "error": {
            "code": "dependency_unavailable",
            "message": f"The {name} is unavailable; try again in a moment.",
            "details": {"dependency": name},
        }
    }
    response = JsonResponse(body, status=503)
    response["Retry-After"] = "1"
    return response


def _on_request_exception(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    mark_failure(request, sys.exc_info()[1])  # type: ignore[arg-type]


got_request_exception.connect(_on_request_exception, dispatch_uid="platform_core.resilience")


def release_connections() -> None:
    """Give every database connection back (the pool drops broken ones) so a retry checks out fresh ones."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # a broken connection may fail to close cleanly; it is gone either way
            logger.debug("closing a broken connection failed", exc_info=True)


class DependencyFailureMiddleware:
    """Outermost: a request failed by a lost connection is retried once when safe, else answered 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        failed = getattr(request, FAILURE_ATTR, None)
        if failed is None or response.status_code < 500:
            return response
        if request.method in SAFE_METHODS:
            logger.warning("%s connection lost during %s %s; retrying once", failed, request.method, request.path)
            release_connections()
            setattr(request, FAILURE_ATTR, None)
            response = self.get_response(request)
            failed = getattr(request, FAILURE_ATTR, None)
            if failed is None or response.status_code < 500:
                return response
        logger.warning("%s unavailable: %s %s answered 503", failed, request.method, request.path)
        release_connections()
        return unavailable_response(failed)


# --- database: the pool's check on checkout -------------------------------------------------------------
class PoolCheck:
    """psycopg_pool `check` of one pool: a round trip only for a connection that has something to say or sat idle long.

    A dead one makes its idle siblings checked at once (`pool.check()`): a restart cut them all, and psycopg_pool
    would otherwise back off 1, 2, 4 s between finding each, past the checkout timeout with a few in the pool.
    """

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def __call__(self, conn: Any) -> None:
        now = time.monotonic()
        idle_for = now - getattr(conn, "_mp_checked_at", 0.0)
        try:
            poller = select.poll()
            poller.register(conn.pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
            quiet = not poller.poll(0)
        except Exception:  # no socket: the connection is closed
            quiet = False
        if not quiet or idle_for >= settings.DB_POOL_CHECK_IDLE_SECONDS:
            try:
                ConnectionPool.check_connection(conn)
            except Exception:
                self.pool.check()  # replaces the broken idle ones in the background
                raise  # the pool discards this one and hands out another
        conn._mp_checked_at = now


def pool_getconn_failing_fast(pool: ConnectionPool, timeout: float | None = None) -> Any:
    """The pool's checkout, but given up after DB_POOL_FAIL_FAST_SECONDS when the server is unreachable: 503 in
    about a second instead of a wait of DB_POOL_TIMEOUT. A pool only busy is waited for in full.

    Whether the server is reachable is asked of the server, by one connection attempt, only when the short wait
    ran out: the pool's own attempts come a second or more apart (db_backend), so none may have failed within
    the short wait even while the server is down; and the hot path stays free of the pool's statistics.
    """
    timeout = pool.timeout if timeout is None else timeout
    short = min(timeout, settings.DB_POOL_FAIL_FAST_SECONDS)
    started = time.monotonic()
    try:
        return ConnectionPool.getconn(pool, timeout=short)
    except PoolTimeout:
        if short >= timeout or not server_reachable(pool):
            raise
    return ConnectionPool.getconn(pool, timeout=timeout - (time.monotonic() - started))


def server_reachable(pool: ConnectionPool) -> bool:
    """One connection attempt outside the pool, closed at once: can the server take a connection now?"""
    conninfo = pool.conninfo() if callable(pool.conninfo) else pool.conninfo
    kwargs = (pool.kwargs() if callable(pool.kwargs) else pool.kwargs) or {}
    try:
        psycopg.connect(conninfo, **{**kwargs, "connect_timeout": 1}).close()
    except psycopg.Error:
        return False
    return True


# --- Redis ----------------------------------------------------------------------------------------------
def redis_retry() -> Any:
    """Reconnect and resend once on a dropped connection; never retry a timeout (a frozen server)."""
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.retry import Retry

    return Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))
