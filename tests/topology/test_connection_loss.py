"""PostgreSQL terminating every client connection, Redis dropping every client or freezing: never a 500.

A real gunicorn (config/gunicorn.conf.py, the shedding thread worker) on the test database and Redis; the
connections are cut the way a restart or a failover cuts them, while requests keep coming.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection, connections
from psycopg_pool import ConnectionPool, PoolTimeout

from platform_core.resilience import pool_getconn_failing_fast
from platform_core.services.sessions import session_create
from scripts.stack import free_port
from tests.platform_core.factories import UserFactory
from tests.support.servers import redis_server
from tests.support.web import WebServer
from tests.support.worker import test_database_url as database_url  # not collected as a test
from tests.support.worker import wait_for

live = pytest.mark.django_db(transaction=True)


def call(url: str, *, token: str = "", method: str = "GET") -> tuple[int, dict]:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)  # noqa: S310
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def burst(base: str, token: str, rounds: int) -> list[tuple[str, int, dict]]:
    """`rounds` x (two reads that query PostgreSQL and Redis, one write to Redis), 4 at a time."""
    calls = [("GET", "/api/v1/jobs/"), ("GET", "/api/v1/auth/me/"), ("POST", "/api/v1/realtime/ticket/")] * rounds
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda c: (c[0], *call(base + c[1], token=token, method=c[0])), calls)
        return list(results)


def code(body: dict) -> str:
    error = body.get("error")
    return str(error.get("code", "")) if isinstance(error, dict) else str(error or "")


def assert_all_served(results: list[tuple[str, int, dict]]) -> None:
    statuses = sorted({(method, status, code(body)) for method, status, body in results})
    assert all(status != 500 for _, status, _ in results), statuses
    # Reads are retried once on a fresh connection: the user never notices.
    assert all(status == 200 for method, status, _ in results if method == "GET"), statuses
    # A write is not replayed when it may have been sent; it is either done or a 503 naming the dependency.
    for method, status, body in results:
        if method == "POST":
            assert status == 201 or (status == 503 and code(body) == "dependency_unavailable"), statuses


@pytest.fixture
def web_server(db):
    # Several connections per process in the pool, so that many dead ones wait there after the cut.
    server = WebServer(WEB_WORKERS="2", WEB_THREADS="4", DB_POOL_MIN_SIZE="4", WEB_ACCESS_LOG="").start()
    yield server
    server.stop()


@live
def test_postgres_terminating_every_connection_gives_no_500(web_server):
    token = session_create(user=UserFactory()).access
    assert_all_served(burst(web_server.url, token, 6))  # the pools now hold open connections

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        terminated = cursor.fetchone()[0]
    assert terminated >= 2, "the web processes' pooled connections were cut"

    assert_all_served(burst(web_server.url, token, 12))


@live
def test_a_pool_full_of_terminated_connections_hands_out_a_live_one():
    """psycopg_pool backs off 1, 2, 4 s between dead connections: six of them outlast the 5 s checkout timeout
    unless the first one found dead gets its idle siblings checked at once."""
    together = threading.Barrier(6)
    pids: list[int] = []

    def hold() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.append(cursor.fetchone()[0])
                together.wait(timeout=10)  # six checked out at once: the pool grows to hold them all
        finally:
            connections.close_all()  # back to the pool, idle

    threads = [threading.Thread(target=hold) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    connection.close()
    with psycopg.connect(database_url(), autocommit=True) as admin:
        admin.execute("SELECT count(pg_terminate_backend(pid)) FROM unnest(%s::int[]) AS pid", [pids])
        # pg_terminate_backend only signals: the backends are gone, as after a restart, once they left pg_stat_activity.
        alive = "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s::int[])"
        wait_for(lambda: admin.execute(alive, [pids]).fetchone() == (0,), what="the terminated backends to exit")

    with connection.cursor() as cursor:  # within the checkout timeout of `make test` (DB_POOL_TIMEOUT=5)
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.pool.get_stats().get("connections_lost", 0) >= 1


def test_a_checkout_gives_up_within_seconds_while_the_pool_backs_off_from_a_down_server():
    """The pool's own attempts come a second or more apart: none may fail within the short wait, yet the server
    is down."""
    pool = ConnectionPool(f"postgresql://postgres@127.0.0.1:{free_port()}/platform", min_size=1, open=False)
    pool.open(wait=False)
    try:
        wait_for(lambda: pool.get_stats().get("connections_errors", 0) >= 3, timeout=15, what="three failed attempts")
        started = time.monotonic()
        with pytest.raises(PoolTimeout):
            pool_getconn_failing_fast(pool, timeout=20)
        assert time.monotonic() - started < settings.DB_POOL_FAIL_FAST_SECONDS + 2
    finally:
        pool.close(timeout=0)


@live
def test_a_checkout_of_a_busy_pool_waits_past_the_short_wait_for_a_connection():
    pool = ConnectionPool(database_url(), min_size=1, max_size=1, open=True)
    try:
        held = pool.getconn()
        threading.Timer(settings.DB_POOL_FAIL_FAST_SECONDS + 1, pool.putconn, [held]).start()
        conn = pool_getconn_failing_fast(pool, timeout=10)  # the server is up: only busy
        assert conn.execute("SELECT 1").fetchone() == (1,)
        pool.putconn(conn)
    finally:
        pool.close()


@live
def test_redis_dropping_every_client_gives_no_500(web_server):
    token = session_create(user=UserFactory()).access
    assert_all_served(burst(web_server.url, token, 6))

    client = redis.Redis.from_url(settings.CACHE_REDIS_URL)
    killed = client.execute_command("CLIENT KILL TYPE normal SKIPME yes")
    assert killed >= 2, "the web processes' Redis connections were cut"

    assert_all_served(burst(web_server.url, token, 12))


@live
def test_a_frozen_redis_answers_503_naming_it_then_recovers(db):
    with redis_server() as (url, proc):
        env = {"REDIS_URL": url, "CACHE_REDIS_URL": f"{url}/1", "WEB_ACCESS_LOG": ""}
        server = WebServer(WEB_WORKERS="1", WEB_THREADS="2", **env).start()
        try:
            token = session_create(user=UserFactory()).access
            me = f"{server.url}/api/v1/auth/me/"
            assert call(me, token=token)[0] == 200  # served while Redis answers (the session check is in Redis)
            os.kill(proc.pid, signal.SIGSTOP)  # accepts connections, answers nothing
            try:
                status, body = call(me, token=token)
            finally:
                os.kill(proc.pid, signal.SIGCONT)
            assert status == 503, body
            assert body["error"]["code"] == "dependency_unavailable"
            assert body["error"]["details"]["dependency"] == "redis"
            assert call(me, token=token)[0] == 200  # by itself, once Redis is back
        finally:
            server.stop()
