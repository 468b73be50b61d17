"""AI jobs end to end on real Celery workers: with the offline provider, with the fake providers, and
two worker processes sharing one provider's token limit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from asgiref.sync import async_to_sync
from celery import current_app
from celery.app.routes import MapRoute
from channels.layers import get_channel_layer
from rest_framework.test import APIClient

from assessments.models import AssessmentSession, CompanyRating, GeneratedResource, IcpAnalysis, PersonaSet
from platform_core.events import user_group
from platform_core.models import Job
from tests.fakes.ai_servers import FakeAnthropic, FakeOpenAI
from tests.integrations.ai import ai_replies
from tests.platform_core.factories import CustomerFactory, UserFactory
from tests.support.worker import CeleryWorker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
FINISHED = {"succeeded", "failed", "cancelled"}


@contextmanager
def ai_jobs_routed_to(queue: str) -> Iterator[None]:
    """Send this test's AI jobs to `queue`, so only the workers started for it run them (another
    test's worker on the `ai` queue may be alive in the same session)."""
    router = current_app.amqp.router
    route = MapRoute({"assessments.ai_tasks.*": {"queue": queue}})
    router.routes.insert(0, route)
    try:
        yield
    finally:
        router.routes.remove(route)


def provider_env(openai: FakeOpenAI, anthropic: FakeAnthropic, **extra: str) -> dict[str, str]:
    return {
        "OPENAI_API_KEY": openai.api_key, "OPENAI_BASE_URL": f"{openai.url}/v1",
        "ANTHROPIC_API_KEY": anthropic.api_key, "ANTHROPIC_BASE_URL": anthropic.url,
        "AI_RETRY_BASE_SECONDS": "0.05", "AI_LIMIT_MAX_WAIT_SECONDS": "120", **extra,
    }  # fmt: skip


def paid_client() -> APIClient:
    client = APIClient()
    client.force_authenticate(user=UserFactory(customer=CustomerFactory(tier="paid")))
    return client


def post_job(client: APIClient, path: str, payload: dict) -> str:
    response = client.post(path, payload, format="json")
    assert response.status_code == 202, response.content
    return response.json()["jobId"]


def finished(job_id: str, timeout: float = 60) -> Job:
    return wait_for(
        lambda: (job := Job.objects.get(pk=job_id)).status in FINISHED and job, timeout=timeout, what=f"job {job_id}"
    )


def run_every_job_kind(client: APIClient) -> dict[str, Job]:
    """Start each AI job kind the way the frontend does and wait for all of them."""
    session = AssessmentSession.objects.create(session_id="assess_1_abc", company_name="Acme", product_name="CRM")
    ids = {
        "icp": post_job(client, "/api/v1/jobs/generate-icp", {
            "productInfo": {"name": "Acme CRM", "description": "A CRM for startups"}, "industry": "SaaS"}),
        "personas": post_job(client, "/api/v1/jobs/personas", {"companyContext": "We sell a CRM", "industry": "SaaS"}),
        "rating": post_job(client, "/api/v1/jobs/rate-company", {"companyUrl": "https://acme.example"}),
        "batch": post_job(client, "/api/v1/jobs/rate-batch", {
            "companies": ["https://a.example", "https://b.example", "https://c.example"]}),
        "insight": post_job(APIClient(), f"/api/v1/assessments/{session.session_id}/insights", {
            "responses": [{"questionId": f"q{i}", "questionText": f"Question {i}", "response": 1 + i % 4}
                          for i in range(1, 8)]}),
    }  # fmt: skip
    jobs = {kind: finished(job_id) for kind, job_id in ids.items()}
    # The ICP completed the ICP milestone (25%): the first foundation assets are unlocked now.
    jobs["resource"] = finished(post_job(client, "/api/v1/resources/asset-1-icp-analysis-framework/generate", {}))
    return jobs


def assert_every_kind_succeeded(jobs: dict[str, Job], client: APIClient, source: str) -> None:
    for kind, job in jobs.items():
        assert (kind, job.status, job.error) == (kind, "succeeded", ""), job.error
        assert (job.result or {})["source"] == source, kind
    assert jobs["batch"].progress == 100
    assert (jobs["batch"].result or {})["metadata"] == {"total": 3, "successful": 3, "failed": 0}
    assert IcpAnalysis.objects.get().source == source
    assert len(PersonaSet.objects.get().personas) >= 3
    assert CompanyRating.objects.filter(source=source).count() == 4
    assert GeneratedResource.objects.get().source == source
    insights = APIClient().get("/api/v1/assessments/assess_1_abc/insights").json()["insights"]
    assert len(insights) == 1 and insights[0]["questionRange"] == "1-7"
    assert 70 <= insights[0]["content"]["confidence"] <= 95
    ratings = client.get("/api/v1/company-ratings/").json()
    assert ratings["count"] == 4
    assert all(r["score"] == sum(p["score"] for p in r["breakdown"].values()) for r in ratings["results"])


def test_every_job_kind_runs_on_a_real_worker_with_the_offline_provider(celery_worker, settings, resource_library):
    assert not settings.OPENAI_API_KEY and not settings.ANTHROPIC_API_KEY
    client = paid_client()
    jobs = run_every_job_kind(client)
    assert_every_kind_succeeded(jobs, client, source="offline")


def test_batch_rating_reports_progress_per_company_over_the_users_channel(celery_worker):
    user = UserFactory(customer=CustomerFactory(tier="paid"))
    client = APIClient()
    client.force_authenticate(user=user)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(user.id), channel)

    companies = [f"https://company-{i}.example" for i in range(4)]
    job_id = post_job(client, "/api/v1/jobs/rate-batch", {"companies": companies})

    async def events_until_done() -> list[dict]:
        events: list[dict] = []
        while not events or events[-1]["type"] != "job.succeeded":
            message = await asyncio.wait_for(layer.receive(channel), 60)
            if message["event"]["jobId"] == job_id:
                events.append(message["event"])
        return events

    events = async_to_sync(events_until_done)()
    rated = [(e["progress"], e["message"]) for e in events if e["message"].startswith("Rated")]
    assert rated == [(25, "Rated 1 of 4"), (50, "Rated 2 of 4"), (75, "Rated 3 of 4"), (100, "Rated 4 of 4")]
    assert events[-1]["result"]["metadata"] == {"total": 4, "successful": 4, "failed": 0}
    assert {r["source"] for r in events[-1]["result"]["results"]} == {"offline"}


@pytest.fixture(scope="module")
def fakes() -> Iterator[tuple[FakeOpenAI, FakeAnthropic]]:
    with FakeOpenAI() as openai, FakeAnthropic() as anthropic:
        yield openai, anthropic


@pytest.fixture(scope="module")
def provider_worker(django_db_setup, django_db_blocker, fakes) -> Iterator[CeleryWorker]:
    worker = CeleryWorker(queues="ai-providers", env=provider_env(*fakes)).start()
    yield worker
    worker.stop()


@pytest.fixture
def providers(fakes, provider_worker) -> Iterator[tuple[FakeOpenAI, FakeAnthropic]]:
    for fake in fakes:
        fake.reset_counters()
        fake.fail_always(None)
        fake.reply = ai_replies.reply_for
    with ai_jobs_routed_to("ai-providers"):
        yield fakes


def test_every_job_kind_runs_on_a_real_worker_with_the_fake_providers(providers, resource_library):
    openai, anthropic = providers
    client = paid_client()
    jobs = run_every_job_kind(client)
    assert_every_kind_succeeded(jobs, client, source="openai")
    assert openai.calls == 8 and anthropic.calls == 0


def test_on_a_worker_openai_down_falls_back_to_claude(providers):
    openai, anthropic = providers
    openai.fail_always("500")
    job = finished(post_job(paid_client(), "/api/v1/jobs/rate-company", {"companyUrl": "https://acme.example"}))
    assert job.status == "succeeded"
    assert (job.result or {})["source"] == "anthropic"
    assert anthropic.calls == 1 and openai.status_counts[500] >= 1


def test_on_a_worker_invalid_output_is_repaired_once_then_the_job_fails_with_the_reason(providers):
    openai, _ = providers
    openai.reply = '{"score": 150}'
    job = finished(post_job(paid_client(), "/api/v1/jobs/rate-company", {"companyUrl": "https://acme.example"}))

    assert job.status == "failed"
    assert job.error_code == "ai_output_invalid"
    assert "score must be an integer 0-100" in job.error
    assert openai.calls == 2  # the answer and one repair
    assert not CompanyRating.objects.exists()


def test_two_workers_at_5x_the_token_limit_never_exceed_it_and_every_job_completes(fakes, settings):
    # What is measured is the provider's limit, not the endpoint's own per-user request limit.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "jobs_rate_company": "1000/h"}
    openai, anthropic = fakes
    openai.reset_counters()
    openai.fail_always(None)
    limit, window = 5_000, 3.0
    openai.tpm_limit, openai.window_seconds = limit, window
    answer = json.dumps(ai_replies.rating(padding=100))
    openai.reply = answer
    env = provider_env(openai, anthropic, AI_TOKENS_PER_MINUTE=str(limit), AI_RATE_WINDOW_SECONDS=str(window))
    workers = [CeleryWorker(queues="ai-limits", concurrency=2, env=env).start() for _ in range(2)]
    try:
        client = paid_client()
        with ai_jobs_routed_to("ai-limits"):
            ids = [post_job(client, "/api/v1/jobs/rate-company", {"companyUrl": f"https://c{i}.example"})
                   for i in range(60)]  # fmt: skip
        jobs = [finished(job_id, timeout=180) for job_id in ids]
    finally:
        for worker in workers:
            worker.stop()
        openai.tpm_limit = None

    assert [job.status for job in jobs] == ["succeeded"] * 60
    tokens = sum(row.input_tokens + row.output_tokens for row in CompanyRating.objects.all())
    assert tokens >= 5 * limit  # the load really was 5x what one window allows
    assert openai.over_limit == 0
    assert openai.status_counts[429] == 0
    assert openai.calls == 60
    assert openai.peak_window_tokens <= limit
