"""Metrics and logs from real processes: gunicorn with 3 workers and a Celery worker sharing one
multiprocess metrics directory, scraped at /metrics as Prometheus would."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from platform_core.models import Job
from tests.platform_core.factories import PASSWORD, CustomerFactory, UserFactory
from tests.platform_core.observability_support import (
    Gunicorn,
    broker_app,
    cleanup_dir,
    http,
    json_lines,
    new_metrics_dir,
    observed_env,
    observed_worker,
    scrape,
    series,
    value,
)
from tests.support.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def observed(django_db_setup, django_db_blocker):
    """gunicorn -w3 and a Celery worker (queues default, ai, assessments, email) on one metrics dir."""
    metrics_dir = new_metrics_dir()
    web = Gunicorn(workers=3, env=observed_env(metrics_dir)).start()
    worker = observed_worker(metrics_dir).start()
    yield web, worker
    worker.stop()
    web.stop()
    cleanup_dir(metrics_dir)


def test_a_request_is_counted_once_whichever_of_three_workers_serves_it(observed):
    web, _ = observed
    before = scrape(web.url)
    for _ in range(60):
        assert http(f"{web.url}/healthz")[0] == 200
    for _ in range(7):
        assert http(f"{web.url}/no/such/page/{uuid.uuid4().hex}")[0] == 404
    after = scrape(web.url)

    key = {"route": "healthz", "method": "GET", "status": "200"}
    assert (
        value(after, "platform_http_requests_total", **key) - value(before, "platform_http_requests_total", **key) == 60
    )
    assert (
        value(after, "platform_http_request_duration_seconds_count", route="healthz", method="GET")
        - value(before, "platform_http_request_duration_seconds_count", route="healthz", method="GET")
        == 60
    )
    # Unknown paths share one label (never the raw path); the scrape itself is its own route.
    unmatched = {"route": "unmatched", "method": "GET", "status": "404"}
    assert (
        value(after, "platform_http_requests_total", **unmatched)
        - value(before, "platform_http_requests_total", **unmatched)
        == 7
    )
    assert not any("no/such" in str(labels) for labels in series(after, "platform_http_requests_total"))
    assert value(after, "platform_http_requests_total", route="metrics", method="GET", status="200") >= 1
    # Every worker wrote its own file, and all three answered some of the requests.
    web_pids = {labels["pid"] for labels in series(after, "platform_process_resident_memory_bytes")
                if labels["kind"] == "web"}  # fmt: skip
    assert web_pids == {str(pid) for pid in web.worker_pids()}
    assert value(after, "platform_http_requests_in_flight") == 1  # the scrape being answered


def test_database_time_and_worker_processes_are_exported(observed):
    web, worker = observed
    samples = scrape(web.url)
    assert value(samples, "platform_db_query_duration_seconds_count", alias="default") > 0
    assert value(samples, "platform_db_queries_per_request_count") > 0
    kinds = {labels["kind"] for labels in series(samples, "platform_process_resident_memory_bytes")}
    assert {"web", "worker"} <= kinds
    worker_pids = {labels["pid"] for labels in series(samples, "platform_process_cpu_seconds_total")
                   if labels["kind"] == "worker"}  # fmt: skip
    assert {str(pid) for pid in worker.child_pids()} <= worker_pids
    assert value(samples, "platform_metrics_source_up", source="broker") == 1
    assert value(samples, "platform_metrics_source_up", source="database") == 1


def test_cache_reads_count_a_miss_then_a_hit(observed):
    """The templates are cached on the first read (the conftest emptied the cache): one miss, then one hit."""
    web, _ = observed
    user = UserFactory()
    status, _, body = http(
        f"{web.url}/api/v1/auth/token/", method="POST", body={"email": user.email, "password": PASSWORD}
    )
    assert status == 200, body
    bearer = {"Authorization": f"Bearer {json.loads(body)['access']}"}

    def reads() -> tuple[float, float]:
        samples = scrape(web.url)
        return (
            value(samples, "platform_cache_requests_total", result="miss"),
            value(samples, "platform_cache_requests_total", result="hit"),
        )

    before = reads()
    assert http(f"{web.url}/api/v1/business-case/templates", headers=bearer)[0] == 200
    after_first = reads()
    assert http(f"{web.url}/api/v1/business-case/templates", headers=bearer)[0] == 200
    after_second = reads()

    assert (after_first[0] - before[0], after_first[1] - before[1]) == (1, 0)
    assert (after_second[0] - after_first[0], after_second[1] - after_first[1]) == (0, 1)


def test_a_failing_task_its_retries_and_a_queues_backlog_appear(observed):
    web, _ = observed
    app = broker_app()
    slug = f"missing-{uuid.uuid4().hex[:8]}"
    app.send_task("tests.support.tasks.plain_needs_customer", args=[slug], queue="default")
    task = {"task": "tests.support.tasks.plain_needs_customer"}
    wait_for(lambda: value(scrape(web.url), "platform_celery_task_failures_total", **task) >= 1, what="task failure")
    # No worker here consumes `airtable`: three messages wait there, the oldest sent first.
    for n in range(3):
        app.send_task("tests.support.tasks.plain_needs_customer", args=[f"{slug}-{n}"], queue="airtable")
        time.sleep(0.4)
    samples = scrape(web.url)
    try:
        assert value(samples, "platform_celery_task_retries_total", **task) == 1  # max_retries=1
        assert value(samples, "platform_celery_task_duration_seconds_count", outcome="failure", **task) == 1
        assert value(samples, "platform_celery_queue_depth", queue="airtable") == 3
        assert value(samples, "platform_celery_queue_depth", queue="default") == 0
        assert value(samples, "platform_celery_oldest_message_age_seconds", queue="airtable") >= 0.8
        assert value(samples, "platform_celery_oldest_message_age_seconds", queue="default") == 0
        assert value(samples, "platform_dead_letters_open") >= 1
    finally:
        with app.connection_for_write() as conn:
            conn.default_channel.client.delete("airtable")


def test_log_lines_of_a_request_and_of_the_job_it_enqueued_share_one_request_id(observed):
    web, worker = observed
    user = UserFactory(customer=CustomerFactory(tier="paid"))
    token = http(f"{web.url}/api/v1/auth/token/", method="POST", body={"email": user.email, "password": PASSWORD})
    assert token[0] == 200, token
    access = json.loads(token[2])["access"]
    request_id = f"obs-{uuid.uuid4().hex}"
    status, headers, body = http(
        f"{web.url}/api/v1/jobs/rate-company", method="POST", body={"companyUrl": "https://acme.example"},
        headers={"Authorization": f"Bearer {access}", "X-Request-ID": request_id},
    )  # fmt: skip
    assert status == 202, body
    assert headers["X-Request-ID"] == request_id
    job = Job.objects.get(customer_id=user.customer_id)
    wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED, timeout=60, what="job done")

    web_lines = [line for line in web.json_lines() if line.get("request_id") == request_id]
    request_line = next(line for line in web_lines if line["logger"] == "platform.request")
    assert request_line["route"] == "job-rate-company"
    assert request_line["status"] == 202
    assert request_line["method"] == "POST"
    assert request_line["user_id"] == user.pk
    assert request_line["customer_id"] == user.customer_id
    assert request_line["duration_ms"] > 0
    assert {"timestamp", "level", "message"} <= set(request_line)

    def task_lines() -> list[dict]:
        return [line for line in json_lines(worker.log()) if line.get("request_id") == request_id]

    lines = wait_for(lambda: [line for line in task_lines() if "succeeded" in line["message"]], what="task log")
    assert lines[0]["job_id"] == str(job.pk)
    assert lines[0]["task_id"] == job.task_id
    assert lines[0]["task"] == "assessments.ai_tasks.company_rate"


def test_no_password_token_or_secret_reaches_the_logs(observed):
    web, worker = observed
    user = UserFactory()
    wrong = "Wr0ng-but-secret-passw0rd"
    assert http(f"{web.url}/api/v1/auth/token/", method="POST", body={"email": user.email, "password": wrong})[0] == 401
    status, _, body = http(
        f"{web.url}/api/v1/auth/token/", method="POST", body={"email": user.email, "password": PASSWORD}
    )
    assert status == 200, body
    access = json.loads(body)["access"]
    api_key = "mp_" + uuid.uuid4().hex
    assert http(f"{web.url}/api/v1/auth/me/", headers={"Authorization": f"Bearer {access}"})[0] == 200
    assert http(f"{web.url}/api/v1/auth/me/", headers={"X-API-Key": api_key})[0] in (401, 403)
    assert http(f"{web.url}/api/v1/auth/me/?token={api_key}", headers={"Authorization": "Bearer not.a.jwt"})[0] == 401
    everything = web.log() + worker.log()
    assert "platform.request" in everything  # the requests were logged ...
    for secret in (wrong, PASSWORD, access, api_key):
        assert secret not in everything  # ... and none of what they carried


def test_metrics_need_the_token_when_one_is_set(observed, settings, client):
    settings.METRICS_TOKEN = "scrape-token-0123456789"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics").json()["error"]["code"] == "metrics_forbidden"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    response = client.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"})
    assert response.status_code == 200
    assert b"platform_http_requests_total" in response.content


def test_without_a_token_metrics_answer_only_local_clients_not_proxied_ones(observed, settings, client):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    web, _ = observed
    status, _, _ = http(f"{web.url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert status == 403
