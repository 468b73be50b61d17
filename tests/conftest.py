import importlib
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.fakes.smtp_server import Mailbox, smtp_server
from tests.platform_core.factories import UserFactory
from tests.support.worker import CeleryWorker


@pytest.fixture(autouse=True)
def _clear_cache():
    """Redis is shared by the whole run: each test starts with an empty cache."""
    cache.clear()
    yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def auth_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture(scope="session")
def worker_mailbox() -> Iterator[Mailbox]:
    """The SMTP server (aiosmtpd) that the session's worker sends its e-mails to."""
    with smtp_server() as (mailbox, port):
        mailbox.port = port
        yield mailbox


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, worker_mailbox):
    """A real Celery worker on every queue, shared by the session (use transaction=True tests)."""
    # Four slots: e-mail tests must not wait behind a research job (a browser) that an earlier test left queued.
    worker = CeleryWorker(
        concurrency=4, env={"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(worker_mailbox.port)}
    ).start()
    yield worker
    worker.stop()


@pytest.fixture
def resource_library(db):
    """The 38 assets of the data migration (a transaction=True test's flush empties every table)."""
    from assessments.models import ResourceDefinition

    migration = importlib.import_module("assessments.migrations.0003_resource_library_assets")
    for asset in migration.assets():
        ResourceDefinition.objects.update_or_create(code=asset["code"], defaults=asset)
