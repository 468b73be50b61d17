"""The API answers what its OpenAPI schema says: schemathesis over every operation, served by a real gunicorn,
as a signed-in owner (Bearer JWT of a live session), with 0 failures of `not_a_server_error`,
`status_code_conformance` and `response_schema_conformance`.

A few generated requests per operation and mode keep this under a few minutes; `bench/schema_fuzz.py` runs
many more and prints the table.
"""

import pytest
import redis
from django.conf import settings

from platform_core.services.api_keys import api_key_create
from platform_core.services.jobs import job_create
from platform_core.services.sessions import session_create
from tests.platform_core.factories import UserFactory
from tests.support.schema_fuzz import (
    FUZZ_BROKER_DB,
    BearerToken,
    failures_text,
    fuzz_server_env,
    report_table,
    schema_fuzz,
)
from tests.support.web import WebServer

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES_PER_MODE = 3


@pytest.fixture
def fuzz_broker():
    """The broker database the fuzzed server enqueues to; nothing consumes it, so it is emptied afterwards."""
    broker = redis.Redis.from_url(f"{settings.REDIS_URL}/{FUZZ_BROKER_DB}")
    broker.flushdb()
    yield
    broker.flushdb()


@pytest.mark.timeout(600)
def test_every_operation_answers_as_its_schema_documents(fuzz_broker):
    owner = UserFactory()
    # Rows whose optional fields are empty, as a new customer's are: lists then show the nullable fields null.
    api_key_create(actor=owner, name="no expiry", scopes=["read"])
    job_create(kind="export.render", task_name="exports.tasks.export_render", customer=owner.customer, user=owner)
    server = WebServer(WEB_WORKERS="2", WEB_THREADS="4", **fuzz_server_env(settings.REDIS_URL)).start()
    try:
        auth = BearerToken(lambda: session_create(user=owner).access)
        reports = schema_fuzz(base_url=server.url, auth=auth, max_examples=EXAMPLES_PER_MODE)
    finally:
        server.stop()

    table = report_table(reports)
    print(table)  # shown with -s or -rP: what every operation answered
    assert len(reports) >= 100, table  # every operation of the schema was exercised
    assert all(report.cases > 0 for report in reports), table
    failed = [report for report in reports if report.failures]
    assert not failed, f"{table}\n\n{failures_text(failed)}"
    # The run was signed in (a revoked session was replaced): the caller's profile answered.
    assert 200 in next(report for report in reports if report.label == "GET /api/v1/auth/me/").statuses, table
