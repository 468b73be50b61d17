"""The real sentry-sdk in gunicorn and a Celery worker, pointed at our fake ingest server: errors and
traces arrive tagged with the request id and scrubbed; a job failing for good reaches Sentry and staff."""

from __future__ import annotations

import json
import uuid

import pytest

from platform_core.models import DeadLetter, Job
from tests.fakes.sentry_server import sentry_server
from tests.platform_core.factories import PASSWORD, UserFactory
from tests.platform_core.observability_support import (
    Gunicorn,
    cleanup_dir,
    http,
    new_metrics_dir,
    observed_env,
    observed_worker,
)
from tests.support.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def sentry(django_db_setup, django_db_blocker, worker_mailbox):
    with sentry_server() as inbox:
        metrics_dir = new_metrics_dir()
        env = observed_env(
            metrics_dir, SENTRY_DSN=inbox.dsn, SENTRY_TRACES_SAMPLE_RATE="1.0", SENTRY_RELEASE="platform@test-1",
            SENTRY_ENVIRONMENT="ci", EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(worker_mailbox.port),
            DEAD_LETTER_ALERT_THRESHOLD="1", DJANGO_DEBUG="false",
        )  # fmt: skip
        web = Gunicorn(workers=2, env=env, app="tests.platform_core.observability_app:application").start()
        worker = observed_worker(metrics_dir, **{k: v for k, v in env.items() if k not in observed_env(metrics_dir)})
        worker.start()
        yield inbox, web, worker
        worker.stop()
        web.stop()
        cleanup_dir(metrics_dir)


def _events_with(inbox, request_id: str) -> list[dict]:
    return [event for event in inbox.events() if (event.get("tags") or {}).get("request_id") == request_id]


def test_an_unhandled_view_error_arrives_with_its_request_id_and_no_secret(sentry):
    inbox, web, _ = sentry
    request_id = f"sentry-{uuid.uuid4().hex}"
    secret_password = "Sup3r-secret-passw0rd-value"
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    status, _, body = http(
        f"{web.url}/test/boom", method="POST", body={"password": secret_password, "note": "hello"},
        headers={"X-Request-ID": request_id, "X-Test-Password": secret_password, "Authorization": f"Bearer {token}",
                 "Cookie": f"sessionid={token}"},
    )  # fmt: skip
    assert status == 500
    assert json.loads(body)["error"]["code"]  # the platform's error shape, no traceback
    event = wait_for(lambda: _events_with(inbox, request_id), what="the error event")[0]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["release"] == "platform@test-1"
    assert event["environment"] == "ci"
    assert event["transaction"].endswith("boom")
    everything = inbox.everything()
    for secret in (secret_password, token):
        assert secret not in everything


def test_a_traced_request_arrives_with_its_database_spans(sentry):
    inbox, web, _ = sentry
    user = UserFactory()
    login = http(f"{web.url}/api/v1/auth/token/", method="POST", body={"email": user.email, "password": PASSWORD})
    access = json.loads(login[2])["access"]
    request_id = f"trace-{uuid.uuid4().hex}"
    assert (
        http(f"{web.url}/api/v1/jobs/", headers={"Authorization": f"Bearer {access}", "X-Request-ID": request_id})[0]
        == 200
    )

    def traced() -> list[dict]:
        return [t for t in inbox.transactions() if (t.get("tags") or {}).get("request_id") == request_id]

    transaction = wait_for(traced, what="the request's transaction")[0]
    assert transaction["transaction"].endswith("/api/v1/jobs/") or "job" in transaction["transaction"]
    db_spans = [span for span in transaction["spans"] if span.get("op", "").startswith("db")]
    assert any("platform_core_job" in span.get("description", "") for span in db_spans), db_spans
    assert PASSWORD not in inbox.everything()
    assert access not in inbox.everything()


def test_a_job_failing_for_good_reaches_sentry_and_staff_by_email(sentry, worker_mailbox):
    inbox, web, _ = sentry
    staff = UserFactory(customer=None, is_staff=True, email=f"ops-{uuid.uuid4().hex[:6]}@example.com")
    request_id = f"job-{uuid.uuid4().hex}"
    status, _, body = http(f"{web.url}/test/failing-job", method="POST", headers={"X-Request-ID": request_id})
    assert status == 202, body
    job_id = json.loads(body)["jobId"]
    wait_for(lambda: Job.objects.get(pk=job_id).status == Job.Status.FAILED, what="the job to fail")
    assert DeadLetter.objects.filter(job_id=job_id, status=DeadLetter.Status.OPEN).exists()

    event = wait_for(lambda: _events_with(inbox, request_id), what="the job's Sentry event")[0]
    assert event["tags"]["job_id"] == job_id
    assert event["tags"]["task_name"] == "tests.support.tasks.invalid_input_job"
    mails = wait_for(lambda: worker_mailbox.to(staff.email), what="the staff e-mail")
    assert "dead letters open" in mails[0]["Subject"]
    assert "tests.support.tasks.invalid_input_job" in mails[0]["Subject"]
    assert "/admin/platform_core/deadletter/?status__exact=open" in mails[0].get_body(("plain",)).get_content()
