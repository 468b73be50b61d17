"""`make cluster`: nginx terminating TLS with the generated certificate, HTTP -> HTTPS, HSTS, the body limit,
sticky sockets, PgBouncer's statement_timeout, and failover when an instance is killed -9."""

from __future__ import annotations

import asyncio
import http.client
import json
import signal
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from websockets.asyncio.client import connect

from tests.platform_core.factories import PASSWORD, UserFactory
from tests.topology.conftest import BODY_MAX

live = pytest.mark.django_db(transaction=True)


def tls_context(cluster) -> ssl.SSLContext:
    """Trusts only the certificate the cluster generated: a handshake succeeding proves nginx presents it."""
    return ssl.create_default_context(cafile=str(cluster.cert))


def https(cluster, method: str, path: str, *, body: bytes | None = None, token: str = "", timeout: float = 30):
    conn = http.client.HTTPSConnection("localhost", cluster.https_port, context=tls_context(cluster), timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, dict(response.getheaders()), json.loads(raw) if raw.startswith(b"{") else {}
    finally:
        conn.close()


def login(cluster, user) -> str:
    status, _, body = https(cluster, "POST", "/api/v1/auth/token/",
                            body=json.dumps({"email": user.email, "password": PASSWORD}).encode())  # fmt: skip
    assert status == 200, body
    return body["access"]


def ws_upstreams(cluster) -> list[str]:
    lines = (cluster.data / "nginx" / "access.log").read_text().splitlines()
    return [line.split("upstream=")[1].split()[0] for line in lines if '"GET /ws/' in line]


def test_https_answers_with_the_generated_certificate_and_hsts(cluster):
    status, headers, body = https(cluster, "GET", "/healthz")
    assert status == 200 and body == {"status": "ok"}
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    pem = ssl.get_server_certificate(("127.0.0.1", cluster.https_port))
    assert ssl.PEM_cert_to_DER_cert(pem) == ssl.PEM_cert_to_DER_cert(cluster.cert.read_text())


def test_http_redirects_to_https(cluster):
    conn = http.client.HTTPConnection("127.0.0.1", cluster.http_port, timeout=10)
    conn.request("GET", "/api/v1/jobs/?page=2", headers={"Host": "localhost"})
    response = conn.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == f"https://localhost:{cluster.https_port}/api/v1/jobs/?page=2"


def test_a_body_over_the_limit_is_refused_with_413_in_the_error_shape(cluster):
    status, _, body = https(cluster, "POST", "/api/v1/auth/token/", body=b"{" + b" " * (BODY_MAX + 1) + b"}")
    assert status == 413
    assert body["error"]["code"] == "request_too_large"


def test_pgbouncer_sets_statement_timeout_on_its_server_connections(cluster):
    url = cluster.app_env(cluster.pgbouncer_url)["DATABASE_URL"]
    with psycopg.connect(url, prepare_threshold=None, autocommit=True) as conn:
        row = conn.execute("SHOW statement_timeout").fetchone()
    assert row is not None and row[0] == "30s"


@live
def test_two_sockets_of_one_user_land_on_one_instance(cluster):
    user = UserFactory()
    token = login(cluster, user)

    async def two_sockets() -> None:
        for _ in range(2):
            status, _, body = https(cluster, "POST", "/api/v1/realtime/ticket/", token=token)
            assert status == 201, body
            url = f"wss://localhost:{cluster.https_port}{body['url']}"
            async with connect(url, ssl=tls_context(cluster), open_timeout=20) as ws:
                assert json.loads(await asyncio.wait_for(ws.recv(), 20))["type"] == "snapshot"

    before = len(ws_upstreams(cluster))
    asyncio.run(two_sockets())
    deadline = time.monotonic() + 10  # nginx logs a socket when it closes
    while len(ws_upstreams(cluster)) < before + 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    first, second = ws_upstreams(cluster)[before : before + 2]
    assert first == second


@live
def test_killing_a_web_instance_fails_no_idempotent_request_and_it_rejoins(cluster):
    token = login(cluster, UserFactory())
    results: list[int] = []
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            results.append(https(cluster, "GET", "/api/v1/jobs/", token=token)[0])

    victim = cluster.service("web-1")
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(4):
            pool.submit(client)
        while len(results) < 40:
            time.sleep(0.05)
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait()
        served_when_killed = len(results)
        while len(results) < served_when_killed + 80:
            time.sleep(0.05)
        cluster.supervise_once()  # `make cluster` does this every 0.5 s: the instance comes back
        assert victim.restarts == 1
        time.sleep(0.5)
        stop.set()
    assert set(results) == {200}, {s: results.count(s) for s in set(results)}
