from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from celery import current_app
from celery.app.routes import MapRoute

from integrations.airtable.limiter import KEY_PREFIX, airtable_redis
from tests.fakes.airtable_server import FakeAirtable, legacy_base
from tests.support.worker import CeleryWorker

QUEUE = "airtable-tests"
BASE = "appLEGACY00000001"
TOKEN = "patTEST.valid-token"


@pytest.fixture(autouse=True)
def _clear_airtable_counters():
    """Limiter windows and pauses live in Redis, shared by the run: start empty."""
    client = airtable_redis()
    keys = list(client.scan_iter(f"{KEY_PREFIX}*"))
    if keys:
        client.delete(*keys)
    yield


@pytest.fixture(scope="session")
def airtable_fake() -> Iterator[FakeAirtable]:
    with FakeAirtable(tokens=(TOKEN,)) as fake:
        yield fake


@pytest.fixture
def fake(airtable_fake: FakeAirtable, settings) -> FakeAirtable:
    """The fake with a fresh legacy base; this process's client points at it too."""
    airtable_fake.bases.clear()
    airtable_fake.reset_counters()
    airtable_fake._script.clear()
    legacy_base(airtable_fake, BASE)
    settings.AIRTABLE_API_URL = airtable_fake.url
    settings.AIRTABLE_RETRY_BASE_SECONDS = 0.05
    settings.AIRTABLE_RATE_LIMIT_PAUSE_SECONDS = 2.0
    return airtable_fake


@contextmanager
def airtable_jobs_routed_to(queue: str) -> Iterator[None]:
    """This module's sync jobs go to its own workers (another test's worker may consume `airtable`)."""
    router = current_app.amqp.router
    route = MapRoute({"integrations.airtable.*": {"queue": queue}})
    router.routes.insert(0, route)
    try:
        yield
    finally:
        router.routes.remove(route)


@pytest.fixture(scope="session")
def airtable_workers(django_db_setup, django_db_blocker, airtable_fake) -> Iterator[list[CeleryWorker]]:
    """Two worker processes on the fake: the limiter and the 429 pause must hold across them."""
    env = {
        "AIRTABLE_API_URL": airtable_fake.url,
        "AIRTABLE_RETRY_BASE_SECONDS": "0.05",
        "AIRTABLE_RATE_LIMIT_PAUSE_SECONDS": "2",
        "AIRTABLE_REQUEST_TIMEOUT_SECONDS": "2",
    }
    workers = [CeleryWorker(queues=QUEUE, concurrency=1, env=env).start() for _ in range(2)]
    yield workers
    for worker in workers:
        worker.stop()


@pytest.fixture
def sync_workers(airtable_workers, fake) -> Iterator[list[CeleryWorker]]:
    with airtable_jobs_routed_to(QUEUE):
        yield airtable_workers
