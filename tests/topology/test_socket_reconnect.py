"""After Redis drops every client connection, the WebSocket servers deliver job events again.

A real uvicorn with the Redis channel layer; `CLIENT KILL TYPE normal` cuts its receive loop, its group
connections and the publisher's, as a Redis restart or failover does.
"""

from __future__ import annotations

import asyncio

import pytest
import redis
from django.conf import settings

from platform_core.events import job_event_publish
from platform_core.models import Job
from tests.platform_core.factories import UserFactory
from tests.realtime.server import APP_ORIGIN, AsgiServer
from tests.realtime.test_sockets import frame, in_thread, make_job, open_socket, run, ticket_for

live = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ws_server(db):
    server = AsgiServer().start()
    yield server
    server.stop()


async def next_event(ws, job_id: str) -> dict:
    while True:
        event = await frame(ws, timeout=20)
        if event.get("jobId") == job_id and event["type"].startswith("job."):
            return event


def kill_redis_clients() -> int:
    return int(redis.Redis.from_url(settings.CHANNELS_REDIS_URL).execute_command("CLIENT KILL TYPE normal SKIPME yes"))


@live
def test_events_flow_again_after_redis_drops_its_clients(ws_server):
    user = UserFactory()
    job = make_job(user)
    tickets = [ticket_for(user), ticket_for(user)]

    async def scenario() -> None:
        before = await open_socket(ws_server, tickets[0], origin=APP_ORIGIN)
        assert (await frame(before))["type"] == "snapshot"
        job.progress = 10
        await in_thread(job_event_publish, job)
        assert (await next_event(before, str(job.pk)))["progress"] == 10

        assert await in_thread(kill_redis_clients) >= 1
        await asyncio.sleep(0.5)  # the server notices its connections are gone

        # The socket that was open all along gets the next event, and so does a new one.
        after = await open_socket(ws_server, tickets[1], origin=APP_ORIGIN)
        assert (await frame(after))["type"] == "snapshot"
        job.progress = 60
        job.status = Job.Status.RUNNING
        await in_thread(job_event_publish, job)
        assert (await next_event(before, str(job.pk)))["progress"] == 60
        assert (await next_event(after, str(job.pk)))["progress"] == 60
        await before.close()
        await after.close()

    run(scenario())
