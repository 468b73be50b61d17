"""`manage.py seed_demo` (run by `make run`): the demo owner signs in and finds every screen filled,
and a second run changes nothing. Real PostgreSQL (and its standby for the dashboard), Redis, storage."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest
from django.core.management import call_command
from django.db.models import Sum
from rest_framework.test import APIClient

from assessments.models import (
    AssessmentSession,
    BusinessCase,
    CostCalculation,
    GeneratedResource,
    IcpAnalysis,
    MilestoneCompletion,
    PersonaSet,
    ProductDetails,
    ProgressAction,
)
from exports.models import Export
from integrations.ai.models import AIUsage
from platform_core.models import Customer, Job, User
from realtime.analytics.services import rollups_fold
from realtime.models import AnalyticsEvent, AnalyticsRollup
from tests.support.replica import wait_replicated

live = pytest.mark.django_db(databases=["default", "replica"], transaction=True)


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def rows_of(customer: Customer) -> dict[str, Any]:
    """Everything the seed makes, counted (and the analytics totals summed)."""
    mine = {"customer": customer}
    return {
        "customers": Customer.objects.count(),
        "users": User.objects.count(),
        "assessments": AssessmentSession.objects.filter(customer=customer).count(),
        "products": ProductDetails.objects.filter(**mine).count(),
        "calculations": CostCalculation.objects.filter(**mine).count(),
        "business_cases": BusinessCase.objects.filter(**mine).count(),
        "icps": IcpAnalysis.objects.filter(**mine).count(),
        "persona_sets": PersonaSet.objects.filter(**mine).count(),
        "resources": GeneratedResource.objects.filter(**mine).count(),
        "jobs": Job.objects.count(),
        "exports": Export.objects.filter(**mine).count(),
        "milestones": MilestoneCompletion.objects.filter(**mine).count(),
        "progress_actions": ProgressAction.objects.filter(**mine).count(),
        "ai_calls": AIUsage.objects.count(),
        "events": AnalyticsEvent.objects.filter(customer_id=customer.pk).count(),
        "rolled_up": AnalyticsRollup.objects.filter(customer_id=customer.pk, granularity="day").aggregate(
            n=Sum("count")
        )["n"],
    }


def items(response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def signed_in(settings) -> APIClient:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/",
        {"email": settings.DEMO_OWNER_EMAIL, "password": settings.DEMO_OWNER_PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return client


@live
def test_seed_demo_twice_fills_every_screen_of_the_demo_customer_once(settings, resource_library):
    output = seed()
    assert settings.DEMO_OWNER_EMAIL in output and "progress" in output
    customer = Customer.objects.get(slug="demo")
    first = rows_of(customer)
    assert "kept" in seed()
    assert rows_of(customer) == first  # a second run duplicates nothing and changes nothing
    assert first["events"] > 100 and first["rolled_up"] == first["events"]  # every event counted once ...
    rollups_fold()
    assert rows_of(customer)["rolled_up"] == first["rolled_up"]  # ... and the regular fold adds none again

    client = signed_in(settings)
    progress = client.get("/api/v1/progress").json()
    assert progress["completionPercentage"] > 0
    assert {m["id"] for m in progress["milestones"] if m["completed"]} >= {
        "initial_setup",
        "icp_analysis",
        "cost_calculation",
        "business_case",
    }

    [assessment] = items(client.get("/api/v1/assessments/"))
    assert assessment["status"] == "linked" and assessment["overallScore"] > 0
    results = client.get(f"/api/v1/assessments/{assessment['sessionId']}/results").json()
    assert results["percentile"] is not None, results

    [product] = items(client.get("/api/v1/products/"))
    assert product["productName"] == "PipelinePilot" and product["isPrimary"]
    [calculation] = items(client.get("/api/v1/cost-calculator/history"))
    assert float(calculation["totalCost"]) > 0
    [case] = items(client.get("/api/v1/business-case/"))
    assert case["status"] == "saved"

    [icp] = items(client.get("/api/v1/icp-analyses/"))
    assert icp["title"] and icp["source"] == "offline"
    [persona_set] = items(client.get("/api/v1/persona-sets/"))
    assert len(persona_set["personas"]) >= 3
    library = client.get("/api/v1/resources/").json()
    assert library["metadata"]["generated"] == 1

    jobs = items(client.get("/api/v1/jobs/"))
    assert {job["kind"] for job in jobs} >= {"icp_generation", "persona_generation", "export.comprehensive-report"}
    assert {job["status"] for job in jobs} == {"succeeded"}

    [export] = items(client.get("/api/v1/exports/"))
    assert export["status"] == "ready"
    link = client.get(f"/api/v1/exports/{export['id']}/download")
    assert link.status_code == 302
    file = APIClient().get(link["Location"].removeprefix("http://testserver"))
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(b"".join(file.streaming_content))).pages
    )
    assert "PipelinePilot" in text

    wait_replicated()
    dashboard = client.get("/api/v1/analytics/dashboard?range=30d")
    assert dashboard.status_code == 200, dashboard.content
    data = dashboard.json()
    assert data["totals"]["events"] > 100 and data["totals"]["activeUsers"] == 1
    assert len(data["activeUsers"]) >= 14  # most days of the last four weeks
    assert {"page.viewed", "tool.used", "ai.generation", "export.requested"} <= set(data["totals"]["byType"])
    assert data["metrics"]["timeToFirstValueHours"] is not None
