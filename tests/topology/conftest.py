import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from scripts.cluster import Cluster
from scripts.stack import free_port
from tests.support.worker import test_database_url

BODY_MAX = 64 * 1024


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker):
    """`make cluster`'s topology (nginx TLS, 2 gunicorn, 2 uvicorn, PgBouncer) on the test database and Redis."""
    with django_db_blocker.unblock():
        database_url = test_database_url()
    data = Path(tempfile.mkdtemp(prefix="mp-cluster-"))
    cluster = Cluster(
        data=data,
        database_url=database_url,
        redis_url=settings.REDIS_URL,
        https_port=free_port(),
        http_port=free_port(),
        web_ports=[free_port(), free_port()],
        ws_ports=[free_port(), free_port()],
        workers=False,
        extra_env={"WEB_WORKERS": "1", "WEB_THREADS": "4", "REQUEST_BODY_MAX_BYTES": str(BODY_MAX),
                   "WEB_ACCESS_LOG": "", "CELERY_EXTRA_IMPORTS": "tests.support.tasks"},
    )  # fmt: skip
    try:
        cluster.start(migrate=False)
        yield cluster
    finally:
        cluster.stop()
