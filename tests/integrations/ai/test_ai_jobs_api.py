"""AI job endpoints and stored AI content: validation, quotas, budgets, tenancy, the resources library,
and the job services run in-process against the fake providers (validation, repair, failure reason)."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from assessments.models import CompanyRating, IcpAnalysis, MilestoneCompletion, ResourceDefinition
from assessments.services import ai_content
from assessments.services.progress import progress_track
from integrations.ai.services import ai_usage_record
from platform_core.exceptions import ApplicationError
from platform_core.models import Job
from platform_core.services.jobs import job_start
from tests.integrations.ai import ai_replies
from tests.platform_core.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def running(job_id) -> Job:
    job = Job.objects.get(pk=job_id)
    started = job_start(job_id=str(job.pk), task_id=job.task_id, lease_seconds=60)
    assert started is not None
    return started


def test_job_endpoints_answer_202_with_a_job_on_the_ai_task(auth_client):
    response = auth_client.post("/api/v1/jobs/rate-company", {"companyUrl": "https://acme.example"}, format="json")

    assert response.status_code == 202
    body = response.json()
    assert body["statusUrl"] == f"/api/v1/jobs/{body['jobId']}/"
    job = Job.objects.get(pk=body["jobId"])
    assert (job.kind, job.task_name) == ("company_rating", "assessments.ai_tasks.company_rate")
    assert job.input == {"company_url": "https://acme.example"}


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/api/v1/jobs/rate-company", {"companyUrl": "ftp://acme.example"}, "companyUrl"),
        ("/api/v1/jobs/rate-batch", {"companies": []}, "companies"),
        ("/api/v1/jobs/rate-batch", {"companies": [f"https://c{i}.example" for i in range(51)]}, "companies"),
        ("/api/v1/jobs/personas", {"companyContext": "short", "industry": "SaaS"}, "companyContext"),
        ("/api/v1/jobs/generate-icp", {"productInfo": {}}, "productInfo"),
    ],
)
def test_bad_input_is_a_400_and_creates_no_job(auth_client, path, payload, field):
    response = auth_client.post(path, payload, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["details"]
    assert not Job.objects.exists()


def test_the_tier_quota_answers_429_after_the_tiers_count(auth_client, user):
    assert user.customer.tier == "free"
    for _ in range(5):
        assert auth_client.post("/api/v1/jobs/personas", {"companyContext": "We sell a CRM", "industry": "SaaS"},
                                format="json").status_code == 202  # fmt: skip

    response = auth_client.post("/api/v1/jobs/personas", {"companyContext": "We sell a CRM", "industry": "SaaS"})

    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "ai_quota_exceeded"
    assert (error["details"]["tier"], error["details"]["limit"], error["details"]["used"]) == ("free", 5, 5)
    assert "resetAt" in error["details"]
    assert Job.objects.count() == 5


def test_a_paid_customer_counts_per_hour(settings):
    user = UserFactory(customer=CustomerFactory(tier="paid"))
    settings.AI_TIER_QUOTAS = {**settings.AI_TIER_QUOTAS, "paid": [2, 3600]}
    client = client_for(user)
    statuses = [client.post("/api/v1/jobs/rate-company", {"companyUrl": "https://a.example"}).status_code
                for _ in range(3)]  # fmt: skip
    assert statuses == [202, 202, 429]


def test_an_exhausted_budget_refuses_the_job(auth_client, settings):
    settings.AI_MONTHLY_BUDGET_USD = 1.0
    ai_usage_record(operation="icp", provider="openai", model="gpt-4o-mini", customer_id=None, user_id=None,
                    cost_usd=Decimal("1.5"))  # fmt: skip

    response = auth_client.post("/api/v1/jobs/rate-company", {"companyUrl": "https://acme.example"})

    assert response.status_code == 402
    assert response.json()["error"]["code"] == "ai_budget_exhausted"
    assert not Job.objects.exists()


def test_stored_content_is_readable_only_by_its_customer(auth_client, user):
    mine = CompanyRating.objects.create(
        customer=user.customer, company_url="https://a.example", company_name="a.example", score=75,
        fit_level="Good", reasoning="Fits well enough.", breakdown={}, source="offline", model="offline-v1",
    )  # fmt: skip
    theirs = CompanyRating.objects.create(
        customer_id=CustomerFactory().pk, company_url="https://b.example", company_name="b.example", score=20,
        fit_level="Poor", reasoning="Does not fit at all.", breakdown={}, source="offline", model="offline-v1",
    )  # fmt: skip

    listed = auth_client.get("/api/v1/company-ratings/").json()["results"]
    assert [r["id"] for r in listed] == [mine.pk]
    assert listed[0]["fitLevel"] == "Good" and listed[0]["source"] == "offline"
    assert auth_client.get(f"/api/v1/company-ratings/{theirs.pk}/").status_code == 404
    assert auth_client.get(f"/api/v1/company-ratings/{mine.pk}/").status_code == 200


def test_the_library_has_38_assets_with_unlock_state_from_progress(auth_client, user, resource_library):
    body = auth_client.get("/api/v1/resources/").json()
    assert body["metadata"] == {"totalResources": 38, "unlocked": 0, "generated": 0}
    tiers = [r["tier"] for r in body["resources"]]
    assert (tiers.count("foundation"), tiers.count("growth"), tiers.count("enterprise")) == (14, 14, 10)
    assert body["resources"][0]["code"] == "asset-1-icp-analysis-framework"

    locked = auth_client.post("/api/v1/resources/asset-1-icp-analysis-framework/generate")
    assert locked.status_code == 403
    assert locked.json()["error"]["code"] == "resource_locked"

    progress_track(customer=user.customer, action="customer_created")
    progress_track(customer=user.customer, action="icp_generated")
    body = auth_client.get("/api/v1/resources/?tier=foundation").json()  # 35% progress
    assert [r["isUnlocked"] for r in body["resources"]] == [True] * 7 + [False] * 7
    assert auth_client.post("/api/v1/resources/asset-1-icp-analysis-framework/generate").status_code == 202
    assert auth_client.get("/api/v1/resources/asset-1-icp-analysis-framework/").status_code == 404
    assert auth_client.get("/api/v1/resources/?tier=platinum").status_code == 400


def test_an_edited_asset_shows_at_once_though_the_catalog_is_kept_between_requests(auth_client, resource_library):
    auth_client.get("/api/v1/resources/")
    with CaptureQueriesContext(connection) as queries:
        first = auth_client.get("/api/v1/resources/").json()["resources"][0]
    assert not [q for q in queries if "assessments_resourcedefinition" in q["sql"]]  # the catalog was kept

    definition = ResourceDefinition.objects.get(code=first["code"])
    definition.title = "ICP framework, second edition"
    definition.save()
    assert auth_client.get("/api/v1/resources/").json()["resources"][0]["title"] == "ICP framework, second edition"


# --- The job services, in-process, against the fake providers -------------------------------------


def start_job(client: APIClient, path: str, payload: dict) -> Job:
    response = client.post(path, payload, format="json")
    assert response.status_code == 202, response.json()
    return running(response.json()["jobId"])


def test_a_rating_is_validated_and_its_fit_tier_derived(ai_providers, auth_client):
    fake_openai, _ = ai_providers
    fake_openai.reply = json.dumps(ai_replies.rating((25, 25, 20, 10)))
    job = start_job(auth_client, "/api/v1/jobs/rate-company", {"companyUrl": "https://www.acme.example/about"})

    result = ai_content.company_rate(job=job)

    assert result["rating"]["score"] == 80 and result["rating"]["fit_level"] == "Excellent"
    assert result["source"] == "openai"
    rating = CompanyRating.objects.get()
    assert (rating.company_name, rating.score, rating.model) == ("acme.example", 80, "gpt-4o-mini")
    assert rating.input_tokens > 0 and rating.cost_usd > 0


def test_invalid_output_gets_one_repair_attempt(ai_providers, auth_client):
    fake_openai, _ = ai_providers
    bad = ai_replies.rating()
    bad["score"] = 99  # not the sum of the parts
    answers = iter([json.dumps(bad), json.dumps(ai_replies.rating())])
    fake_openai.reply = lambda body: next(answers)
    job = start_job(auth_client, "/api/v1/jobs/rate-company", {"companyUrl": "https://acme.example"})

    result = ai_content.company_rate(job=job)

    assert result["rating"]["score"] == 75
    repair = fake_openai.requests[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": json.dumps(bad)}
    assert "must equal the sum of the four parts (75)" in repair[-1]["content"]


def test_output_still_invalid_after_the_repair_fails_with_the_reason(ai_providers, auth_client):
    fake_openai, _ = ai_providers
    fake_openai.reply = "Sure! Here is the rating: great company."
    job = start_job(auth_client, "/api/v1/jobs/rate-company", {"companyUrl": "https://acme.example"})

    with pytest.raises(ApplicationError) as failed:
        ai_content.company_rate(job=job)

    assert failed.value.code == "ai_output_invalid"
    assert "not valid JSON" in failed.value.message
    assert fake_openai.calls == 2
    assert not CompanyRating.objects.exists()


def test_icp_uses_the_primary_product_and_completes_the_icp_milestone(ai_providers, auth_client, user):
    fake_openai, _ = ai_providers
    fake_openai.reply = ai_replies.reply_for
    from assessments.models import ProductDetails

    ProductDetails.objects.create(
        customer=user.customer, product_name="Acme CRM", product_description="A CRM for startups",
        distinguishing_feature="AI scoring", business_model="b2b-subscription", is_primary=True,
    )  # fmt: skip
    job = start_job(auth_client, "/api/v1/jobs/generate-icp", {"industry": "SaaS"})

    result = ai_content.icp_generate(job=job)

    assert "Product: Acme CRM" in fake_openai.requests[0]["messages"][1]["content"]
    icp = IcpAnalysis.objects.get(pk=result["icp_analysis_id"])
    assert icp.title == ai_replies.ICP["title"] and icp.source == "openai"
    assert MilestoneCompletion.objects.filter(customer=user.customer, milestone="icp_analysis").exists()


def test_a_resource_is_generated_from_cumulative_context(ai_providers, auth_client, user, resource_library):
    fake_openai, _ = ai_providers
    fake_openai.reply = ai_replies.reply_for
    progress_track(customer=user.customer, action="icp_generated")
    IcpAnalysis.objects.create(customer=user.customer, title="My ICP", content=ai_replies.ICP, source="openai",
                               model="gpt-4o-mini")  # fmt: skip
    first = start_job(auth_client, "/api/v1/resources/asset-1-icp-analysis-framework/generate", {})
    ai_content.resource_generate(job=first)
    second = start_job(auth_client, "/api/v1/resources/asset-2-target-buyer-personas/generate", {})

    result = ai_content.resource_generate(job=second)

    prompt = fake_openai.requests[-1]["messages"][1]["content"]
    assert "Mid-market SaaS revenue teams" in prompt  # the ICP
    assert "asset-1-icp-analysis-framework" in prompt  # the earlier asset
    assert result["source"] == "openai" and result["tokens"]["input"] > 0
    shown = auth_client.get("/api/v1/resources/asset-2-target-buyer-personas/").json()
    assert shown["contextResources"] == ["asset-1-icp-analysis-framework"]
    assert ResourceDefinition.objects.count() == 38
