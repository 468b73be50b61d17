"""Overload is answered at once with 503 `overloaded` and Retry-After, never a hang; health checks are not shed.

One web process with one thread: a client that sends a request's headers and then stalls on its body holds
that thread (as a slow or overloaded moment does), so the requests behind it wait in the worker's queue.
"""

import json
import socket
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.platform_core.observability_support import scrape, value
from tests.support.web import WebServer

SHED_AFTER_MS = 300


def _get(url: str) -> tuple[int, dict[str, str], dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"{}")


@pytest.fixture
def one_thread_server(db):
    server = WebServer(WEB_WORKERS="1", WEB_THREADS="1", WEB_SHED_AFTER_MS=str(SHED_AFTER_MS)).start()
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_requests_that_wait_too_long_get_503_with_retry_after_and_health_still_answers(one_thread_server):
    base = one_thread_server.url
    stalled = socket.create_connection(("127.0.0.1", one_thread_server.port))
    body = b'{"email": "someone@example.com", "password": "not-their-password"}'
    stalled.sendall(
        b"POST /api/v1/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body) + body[:10]
    )
    time.sleep(0.3)  # the only thread is now reading that body
    with ThreadPoolExecutor(max_workers=3) as pool:
        waiting = [pool.submit(_get, f"{base}/api/v1/auth/me/") for _ in range(2)]
        health = pool.submit(_get, f"{base}/healthz")
        time.sleep(SHED_AFTER_MS / 1000 * 3)  # they have now waited longer than the limit
        stalled.sendall(body[10:])
        shed = [future.result() for future in waiting]
        health_status = health.result()[0]
    stalled.close()

    for status, headers, payload in shed:
        assert status == 503
        assert headers["Retry-After"] == "1"
        assert payload["error"]["code"] == "overloaded"
    assert health_status == 200, "health checks are never shed"
    # Once the burst has passed, requests are served again.
    assert _get(f"{base}/healthz")[0] == 200
    assert _get(f"{base}/api/v1/auth/me/")[2]["error"]["code"] == "not_authenticated"

    # Ops see the wait itself: the two shed requests and the health check waited past the limit.
    samples = scrape(base)
    waited = value(samples, "platform_http_queue_wait_seconds_count")
    waited_briefly = value(samples, "platform_http_queue_wait_seconds_bucket", le="0.25")
    assert waited >= 6  # the stalled request, 2 shed, the health check, and the 2 after the burst
    assert waited - waited_briefly >= 3
    assert value(samples, "platform_http_shed_total") == 2
