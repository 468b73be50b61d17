"""The staff health page: rendered for staff only, and its numbers pushed live to staff sockets
through a real uvicorn process and the Redis channel layer."""

from __future__ import annotations

import asyncio
import json

import pytest
from django.db import connections
from django.test import Client
from websockets.asyncio.client import connect

from platform_core.models import DeadLetter, Job
from platform_core.observability.health_page import staff_health_publish
from tests.platform_core.factories import PASSWORD, UserFactory
from tests.realtime.server import AsgiServer
from tests.realtime.test_sockets import ticket_for


@pytest.fixture(scope="module")
def ws_server(django_db_setup, django_db_blocker):
    server = AsgiServer().start()
    yield server
    server.stop()


def dead_letter(n: int = 0) -> DeadLetter:
    return DeadLetter.objects.create(task_name=f"tests.health.task{n}", error="boom")


@pytest.mark.django_db
def test_staff_see_queues_jobs_and_dead_letters_and_members_are_sent_to_login(client):
    staff = UserFactory(is_staff=True, customer=None)
    for n in range(3):
        dead_letter(n)
    Job.objects.create(kind="test", task_name="x", status=Job.Status.RUNNING)
    client.force_login(staff)
    response = client.get("/admin/health/")
    assert response.status_code == 200
    health = response.context["health"]
    assert health["dead_letters_open"] == 3
    assert health["jobs"]["running"] == 1
    assert set(health["queues"]) >= {"default", "exports", "ai"}
    assert health["ai_spend_today_usd"] == "0.00"
    assert b'data-field="dead_letters_open">3<' in response.content

    member = Client()
    member.force_login(UserFactory())
    assert member.get("/admin/health/").status_code == 302


def _session_cookie(user) -> str:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return f"sessionid={client.cookies['sessionid'].value}"


async def _in_thread(fn, *args):
    def call():
        try:
            return fn(*args)
        finally:
            connections.close_all()

    return await asyncio.to_thread(call)


async def _health_frame(ws) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if frame["type"] == "health":
            return frame["health"]


@pytest.mark.django_db(transaction=True)
def test_the_numbers_reach_staff_sockets_live_and_no_one_elses(ws_server):
    staff = UserFactory(is_staff=True, customer=None)
    member = UserFactory()
    cookie, ticket = _session_cookie(staff), ticket_for(member)
    dead_letter(1)

    async def scenario():
        staff_ws = await connect(ws_server.url, additional_headers={"Cookie": cookie}, open_timeout=10)
        member_ws = await connect(f"{ws_server.url}?ticket={ticket}", open_timeout=10)
        for ws in (staff_ws, member_ws):
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "snapshot"
        await _in_thread(staff_health_publish)
        assert (await _health_frame(staff_ws))["dead_letters_open"] == 1
        await _in_thread(dead_letter, 2)
        await _in_thread(staff_health_publish)
        pushed = await _health_frame(staff_ws)
        assert pushed["dead_letters_open"] == 2
        assert "queues" in pushed and "http_last_hour" in pushed
        # The member's socket got nothing of it: the next frame it sees is the answer to its ping.
        await member_ws.send(json.dumps({"action": "ping"}))
        assert json.loads(await asyncio.wait_for(member_ws.recv(), 10)) == {"type": "pong"}
        await staff_ws.close()
        await member_ws.close()

    asyncio.run(asyncio.wait_for(scenario(), 60))
