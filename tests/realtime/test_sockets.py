"""/ws/ through a real uvicorn process (one test also through daphne), a real Redis channel layer and the
`websockets` client."""

import asyncio
import base64
import json
import os
import socket
import time

import pytest
from django.db import connections
from django.test import Client, override_settings
from rest_framework.test import APIClient
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from platform_core.events import job_event_publish
from platform_core.models import Job
from platform_core.services.jobs import job_create
from platform_core.services.sessions import session_create
from realtime.services import broadcast_publish
from tests.platform_core.factories import PASSWORD, CustomerFactory, UserFactory
from tests.realtime.server import APP_ORIGIN

live = pytest.mark.django_db(transaction=True)
STEPPED = "tests.support.tasks.stepped_job"


def jwt_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {session_create(user=user).access}")  # tokens need a session
    return client


def ticket_for(user) -> str:
    response = jwt_client(user).post("/api/v1/realtime/ticket/")
    assert response.status_code == 201, response.content
    return response.json()["ticket"]


def make_job(user, status=Job.Status.RUNNING, **fields) -> Job:
    # Rows only: no task is sent (these tests publish the job's events themselves).
    return Job.objects.create(
        kind="test.kind", task_name=STEPPED, customer=user.customer, user=user, status=status, **fields
    )


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=60))


async def in_thread(fn, *args, **kwargs):
    """Django's sync APIs (ORM, async_to_sync publishers) from the test's event loop."""

    def call():
        try:
            return fn(*args, **kwargs)
        finally:
            connections.close_all()

    return await asyncio.to_thread(call)


async def open_socket(server, ticket=None, *, origin=None, cookie=None):
    url = server.url + (f"?ticket={ticket}" if ticket else "")
    headers = {"Cookie": cookie} if cookie else None
    return await connect(url, origin=origin, additional_headers=headers, open_timeout=10)


async def frame(ws, timeout=10):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def close_code(ws) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def connected(server, user, **kwargs):
    """An open socket for `user`, past its snapshot frame."""
    ws = await open_socket(server, await in_thread(ticket_for, user), **kwargs)
    assert (await frame(ws))["type"] == "snapshot"
    return ws


# --- the ticket endpoint --------------------------------------------------------------------


@pytest.mark.django_db
def test_ticket_needs_a_jwt():
    response = APIClient().post("/api/v1/realtime/ticket/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db
def test_ticket_is_short_lived_and_names_the_socket_url(user):
    body = jwt_client(user).post("/api/v1/realtime/ticket/").json()
    assert body["expiresIn"] == 30
    assert body["url"] == f"/ws/?ticket={body['ticket']}"
    assert len(body["ticket"]) >= 40
    assert body["ticket"] != jwt_client(user).post("/api/v1/realtime/ticket/").json()["ticket"]


# --- who may connect ------------------------------------------------------------------------


@live
def test_a_socket_without_a_ticket_or_with_a_made_up_one_is_closed_4401(asgi_server):
    async def scenario():
        assert await close_code(await open_socket(asgi_server)) == 4401
        assert await close_code(await open_socket(asgi_server, "not-a-ticket")) == 4401

    run(scenario())


@live
def test_a_ticket_opens_one_socket_only(asgi_server, user):
    ticket = ticket_for(user)

    async def scenario():
        first = await open_socket(asgi_server, ticket)
        assert (await frame(first))["type"] == "snapshot"
        assert await close_code(await open_socket(asgi_server, ticket)) == 4401
        await first.close()

    run(scenario())


@live
def test_an_expired_ticket_is_refused(asgi_server, user):
    with override_settings(REALTIME_TICKET_TTL_SECONDS=1):
        ticket = ticket_for(user)
    time.sleep(1.5)

    async def scenario():
        assert await close_code(await open_socket(asgi_server, ticket)) == 4401

    run(scenario())


@live
def test_a_browser_from_a_foreign_origin_is_closed_4403_even_with_a_ticket(asgi_server, user):
    async def scenario():
        ws = await open_socket(asgi_server, await in_thread(ticket_for, user), origin="https://evil.example.com")
        assert await close_code(ws) == 4403
        for allowed in (APP_ORIGIN, "http://localhost:3000", "http://127.0.0.1:8000"):  # CORS origin, allowed hosts
            ws = await open_socket(asgi_server, await in_thread(ticket_for, user), origin=allowed)
            assert (await frame(ws))["type"] == "snapshot"
            await ws.close()

    run(scenario())


@live
def test_the_admin_session_cookie_authenticates_staff_but_not_other_users(asgi_server):
    staff = UserFactory(is_staff=True, customer=None)
    member = UserFactory()

    def session_cookie(user) -> str:
        client = Client()
        assert client.login(email=user.email, password=PASSWORD)
        return f"sessionid={client.cookies['sessionid'].value}"

    staff_cookie, member_cookie = session_cookie(staff), session_cookie(member)

    async def scenario():
        ws = await open_socket(asgi_server, cookie=staff_cookie, origin="http://localhost:8000")
        assert (await frame(ws)) == {"type": "snapshot", "jobs": []}
        await ws.close()
        ws = await open_socket(asgi_server, cookie=member_cookie, origin="http://localhost:8000")
        assert await close_code(ws) == 4401

    run(scenario())


@live
def test_a_dead_socket_is_closed_by_the_server(asgi_server, user):
    """A client that stops answering pings (a laptop lid closed) is dropped, freeing its groups."""
    ticket = ticket_for(user)
    sock = socket.create_connection(("127.0.0.1", asgi_server.port), timeout=30)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET /ws/?ticket={ticket} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    received = b""
    while True:  # read frames (handshake, snapshot, pings) and never answer a ping
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:  # the server aborts the TCP connection
            break
        if not chunk:
            break
        received += chunk
    sock.close()
    assert b"101 Switching Protocols" in received
    assert b'"type":"snapshot"' in received
    assert b"\x89" in received  # the server pinged before giving up


# --- what a socket receives -----------------------------------------------------------------


@live
def test_on_connect_the_socket_gets_a_snapshot_of_the_users_active_jobs(asgi_server, user):
    running = make_job(user, progress=40, message="Step 2 of 5")
    queued = make_job(user, status=Job.Status.QUEUED)
    make_job(user, status=Job.Status.SUCCEEDED, progress=100)
    make_job(UserFactory(customer=user.customer))  # a colleague's job is not this user's
    ticket = ticket_for(user)

    async def scenario():
        ws = await open_socket(asgi_server, ticket)
        snapshot = await frame(ws)
        await ws.close()
        return snapshot

    snapshot = run(scenario())
    assert snapshot["type"] == "snapshot"
    assert [(j["jobId"], j["status"], j["progress"], j["message"]) for j in snapshot["jobs"]] == [
        (str(running.id), "running", 40, "Step 2 of 5"),
        (str(queued.id), "queued", 0, ""),
    ]
    assert {"kind", "at"} <= set(snapshot["jobs"][0])


@live
def test_published_job_events_arrive_once_even_through_two_groups(ws_server, user):
    """Under uvicorn (the default) and daphne (WS_SERVER=daphne) alike."""
    job = make_job(user)

    async def scenario():
        ws = await connected(ws_server, user)
        await ws.send(json.dumps({"action": "subscribe", "jobId": str(job.id)}))
        subscribed = await frame(ws)
        assert subscribed["type"] == "subscribed"
        assert subscribed["job"]["jobId"] == str(job.id)

        job.progress, job.message = 60, "Halfway"
        await in_thread(job_event_publish, job)  # to job.<id> and user.<id>: this socket is in both
        job.status, job.progress, job.result = Job.Status.SUCCEEDED, 100, {"answer": 42}
        await in_thread(job_event_publish, job)
        first, second = await frame(ws), await frame(ws)
        await ws.send(json.dumps({"action": "ping"}))
        after = await frame(ws)  # not a second copy of either event
        await ws.close()
        return first, second, after

    first, second, after = run(scenario())
    assert first["type"] == "job.progress"
    assert (first["jobId"], first["status"], first["progress"]) == (str(job.id), "running", 60)
    assert first["message"] == "Halfway"
    assert first["at"] and first["eventId"]
    assert second["type"] == "job.succeeded"
    assert (second["status"], second["progress"], second["result"]) == ("succeeded", 100, {"answer": 42})
    assert after == {"type": "pong"}


@live
def test_customer_a_never_receives_customer_b_events(asgi_server):
    alice = UserFactory(customer=CustomerFactory())
    bob = UserFactory(customer=CustomerFactory())
    alice_job, bob_job = make_job(alice), make_job(bob)

    async def scenario():
        a, b = await connected(asgi_server, alice), await connected(asgi_server, bob)
        await a.send(json.dumps({"action": "subscribe", "jobId": str(bob_job.id)}))
        refused = await frame(a)

        bob_job.progress = 70
        await in_thread(job_event_publish, bob_job)
        bob_saw = await frame(b)  # the server has handled Bob's event ...
        alice_job.progress = 10
        await in_thread(job_event_publish, alice_job)
        alice_saw = await frame(a)  # ... so a copy for Alice would have come before her own
        await a.close()
        await b.close()
        return refused, bob_saw, alice_saw

    refused, bob_saw, alice_saw = run(scenario())
    assert refused == {
        "type": "error",
        "error": {"code": "job_not_found", "message": "No such job.", "details": {"jobId": str(bob_job.id)}},
    }
    assert (bob_saw["jobId"], bob_saw["progress"]) == (str(bob_job.id), 70)
    assert (alice_saw["jobId"], alice_saw["progress"]) == (str(alice_job.id), 10)


@live
def test_a_colleague_can_follow_a_job_of_the_same_customer(asgi_server, user):
    colleague = UserFactory(customer=user.customer)
    job = make_job(user)

    async def scenario():
        ws = await connected(asgi_server, colleague)
        await ws.send(json.dumps({"action": "subscribe", "jobId": str(job.id)}))
        assert (await frame(ws))["type"] == "subscribed"
        job.progress = 30
        await in_thread(job_event_publish, job)
        event = await frame(ws)
        await ws.send(json.dumps({"action": "subscribe", "jobId": "not-a-uuid"}))
        bad = await frame(ws)
        await ws.send("not json")
        garbage = await frame(ws)
        await ws.close()
        return event, bad, garbage

    event, bad, garbage = run(scenario())
    assert (event["jobId"], event["progress"]) == (str(job.id), 30)
    assert bad["error"]["code"] == "job_not_found"
    assert garbage["error"]["code"] == "invalid_message"


@live
def test_a_broadcast_reaches_every_open_socket_once(asgi_server):
    users = [UserFactory() for _ in range(3)]

    async def scenario():
        sockets = [await connected(asgi_server, u) for u in users]
        sent = await in_thread(broadcast_publish, type="announcement", message="Maintenance at 18:00 UTC")
        received = [await frame(ws) for ws in sockets]
        for ws in sockets:
            await ws.send(json.dumps({"action": "ping"}))
        after = [await frame(ws) for ws in sockets]
        for ws in sockets:
            await ws.close()
        return sent, received, after

    sent, received, after = run(scenario())
    assert received == [sent] * 3
    assert sent["type"] == "announcement" and sent["message"] == "Maintenance at 18:00 UTC"
    assert after == [{"type": "pong"}] * 3


# --- end to end: API, a real Celery worker, the socket --------------------------------------


@live
def test_a_job_run_by_a_real_worker_streams_progress_and_its_result_matches_the_api(asgi_server, celery_worker, user):
    client = jwt_client(user)

    async def scenario():
        ws = await connected(asgi_server, user)
        job = await in_thread(
            job_create, kind="test.stepped", task_name=STEPPED, customer=user.customer, user=user,
            input={"steps": 4, "stepSeconds": 0.05},
        )  # fmt: skip
        events: list[dict] = []
        while not events or events[-1]["type"] not in ("job.succeeded", "job.failed"):
            events.append(await frame(ws, timeout=30))
        await ws.close()
        return job, events

    job, events = run(scenario())
    assert {e["jobId"] for e in events} == {str(job.id)}
    running = [(e["progress"], e["message"]) for e in events if e["status"] == "running"]
    assert running == [(0, "Running")] + [(25 * n, f"Step {n} of 4") for n in range(1, 5)]
    final = events[-1]
    api = client.get(f"/api/v1/jobs/{job.id}/").json()
    assert final["type"] == "job.succeeded"
    assert (api["status"], api["progress"], api["result"]) == (final["status"], final["progress"], final["result"])
    assert api["result"] == {"steps": 4, "effect": f"effect-{job.id}"}


@live
def test_a_job_started_through_the_api_pushes_its_progress_over_the_socket(asgi_server, celery_worker):
    """The whole path: POST → 202 → a real worker (offline AI provider) → channel layer → uvicorn → socket."""
    user = UserFactory(customer=CustomerFactory(tier="paid"))
    client = jwt_client(user)
    companies = [f"https://company-{i}.example" for i in range(3)]

    async def scenario():
        ws = await connected(asgi_server, user)
        response = await in_thread(client.post, "/api/v1/jobs/rate-batch", {"companies": companies}, format="json")
        assert response.status_code == 202, response.content
        accepted = response.json()
        events: list[dict] = []
        while not events or events[-1]["type"] not in ("job.succeeded", "job.failed"):
            events.append(await frame(ws, timeout=60))
        await ws.close()
        return accepted, events

    accepted, events = run(scenario())
    assert accepted["statusUrl"] == f"/api/v1/jobs/{accepted['jobId']}/"
    assert {e["jobId"] for e in events} == {accepted["jobId"]}
    rated = [(e["progress"], e["message"]) for e in events if e["message"].startswith("Rated")]
    assert rated == [(33, "Rated 1 of 3"), (67, "Rated 2 of 3"), (100, "Rated 3 of 3")]
    api = client.get(accepted["statusUrl"]).json()
    assert events[-1]["type"] == "job.succeeded"
    assert api["status"] == "succeeded"
    assert api["result"] == events[-1]["result"]
    assert api["result"]["metadata"] == {"total": 3, "successful": 3, "failed": 0}
