"""Business case over HTTP: hand-computed generate, simple one-pager from the latest analysis, save/list/get."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from assessments.models import BusinessCase, MilestoneCompletion
from tests.assessments.factories import ProductFactory
from tests.platform_core.factories import UserFactory

pytestmark = pytest.mark.django_db

PILOT: dict[str, Any] = {
    "type": "pilot",
    "requirements": {"timeline": 6, "budget": 50_000, "successMetrics": ["Win rate up 10 points"]},
    "context": {"industry": "technology", "companySize": "mid-market", "currentChallenges": ["Long sales cycles"]},
}


def test_generate_pilot_by_hand(auth_client, user):
    """budget 50,000 → 20,000 / 15,000 / 7,500 / 7,500; benefits 50,000*1.5*1.2 = 90,000; "50% - 125%"."""
    response = auth_client.post("/api/v1/business-case/generate", PILOT)
    assert response.status_code == 201, response.json()
    case = response.json()
    assert case["type"] == "pilot" and case["status"] == "draft"
    content = case["content"]
    assert content["investment"]["breakdown"] == {
        "platformLicense": 20_000,
        "implementation": 15_000,
        "training": 7_500,
        "support": 7_500,
    }
    assert content["investment"]["expectedRoi"] == "50% - 125%"
    assert content["financialProjections"]["projectedBenefits"] == 90_000
    assert MilestoneCompletion.objects.filter(customer=user.customer, milestone="business_case").exists()


def test_generate_full_accepts_the_old_type_name(auth_client):
    """ "full" is the old name of full_implementation: budget 250,000 in finance → 250,000*2.5*1.1 = 687,500."""
    body = {**PILOT, "type": "full", "requirements": {**PILOT["requirements"], "budget": 250_000, "timeline": 12}}
    body["context"] = {**PILOT["context"], "industry": "finance"}
    content = auth_client.post("/api/v1/business-case/generate", body).json()["content"]
    assert content["type"] == "full_implementation"
    assert content["financialProjections"]["projectedBenefits"] == 687_500


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("type",), "moonshot", "type"),
        (("requirements", "budget"), 10_000_001, "requirements"),
        (("requirements", "budget"), -1, "requirements"),
        (("requirements", "timeline"), 0, "requirements"),
        (("requirements", "successMetrics"), [], "requirements"),
        (("requirements", "successMetrics"), ["tiny"], "requirements"),
        (("requirements", "successMetrics"), ["a valid metric"] * 11, "requirements"),
        (("context", "industry"), "", "context"),
    ],
)
def test_invalid_generate_input_is_a_400_and_nothing_saved(auth_client, path, value, field):
    body = {**PILOT, "requirements": dict(PILOT["requirements"]), "context": dict(PILOT["context"])}
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    response = auth_client.post("/api/v1/business-case/generate", body)
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert field in details
    if len(path) == 2:
        assert path[1] in details[field]
    assert not BusinessCase.objects.exists()


def test_generate_simple_from_the_latest_saved_analysis_and_primary_product(auth_client, user):
    """Latest calculation (realistic case, total 177,000): lost revenue 100,000 → "$0.1M", operational
    inefficiency 50,000 as prospecting → "$50K", competitive disadvantage 2,000 as messaging → "$2K"."""
    ProductFactory(customer=user.customer, product_name="DealScope", is_primary=True)
    inputs = {"potentialDeals": 100, "averageDealSize": 10_000, "conversionRate": 0.2, "delayMonths": 6,
              "currentOperatingCost": 1_000_000, "inefficiencyRate": 0.1, "employeeCount": 10,
              "averageSalary": 100_000, "marketShare": 0.05}  # fmt: skip
    auth_client.post("/api/v1/cost-calculator/save", {**inputs, "delayMonths": 12})  # older: 354,000
    auth_client.post("/api/v1/cost-calculator/save", inputs)
    response = auth_client.post("/api/v1/business-case/generate-simple", {})
    assert response.status_code == 201, response.json()
    page = response.json()["content"]
    assert page["executiveSummary"]["totalCostOfDelay"] == 177_000.0
    assert page["executiveSummary"]["totalCostFormatted"] == "$0.2M"
    assert page["executiveSummary"]["topFindings"][1:] == [
        "6 months average sales cycle delay",
        "100 qualified opportunities at risk",
    ]
    assert page["metrics"]["inefficientProspecting"]["formatted"] == "$50K"
    assert page["metrics"]["poorMessaging"]["formatted"] == "$2K"
    assert page["productContext"] == {"name": "DealScope", "businessModel": "b2b-subscription"}


def test_generate_simple_from_a_sent_analysis(auth_client):
    """totalCost 2,450,000 → "$2.5M"; lostRevenue 1,200,000 → "$1.2M"."""
    body = {"costAnalysis": {"totalCost": 2_450_000, "lostRevenue": 1_200_000, "delayMonths": 4, "potentialDeals": 30},
            "icpData": {"targetMarket": "Mid-market SaaS", "painPoints": ["a", "b", "c", "d"]}}  # fmt: skip
    page = auth_client.post("/api/v1/business-case/generate-simple", body).json()["content"]
    assert page["executiveSummary"]["totalCostFormatted"] == "$2.5M"
    assert page["executiveSummary"]["topFindings"][0] == "$1.2M in lost revenue opportunity"
    assert page["icpContext"] == {
        "targetSegment": "Mid-market SaaS",
        "keyPainPoints": ["a", "b", "c"],
        "buyingTriggers": [],
    }
    assert page["productContext"] is None


def test_generate_simple_without_any_analysis_is_a_400(auth_client):
    response = auth_client.post("/api/v1/business-case/generate-simple", {})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "cost_analysis_required"
    negative = auth_client.post("/api/v1/business-case/generate-simple", {"costAnalysis": {"totalCost": -5}})
    assert "costAnalysis" in negative.json()["error"]["details"]
    assert not BusinessCase.objects.exists()


def test_save_list_get_and_isolation(auth_client):
    case_id = auth_client.post("/api/v1/business-case/generate", PILOT).json()["id"]
    saved = auth_client.post(f"/api/v1/business-case/{case_id}/save", {"title": "Pilot for the board"})
    assert saved.status_code == 200
    assert (saved.json()["status"], saved.json()["title"]) == ("saved", "Pilot for the board")
    listed = auth_client.get("/api/v1/business-case/").json()["results"]
    assert [(row["id"], row["status"]) for row in listed] == [(case_id, "saved")]
    assert auth_client.get(f"/api/v1/business-case/{case_id}/").json()["content"]["type"] == "pilot"

    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    assert stranger.get("/api/v1/business-case/").json()["results"] == []
    assert stranger.get(f"/api/v1/business-case/{case_id}/").status_code == 404
    assert stranger.post(f"/api/v1/business-case/{case_id}/save", {}).status_code == 404
