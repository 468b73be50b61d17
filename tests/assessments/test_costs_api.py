"""Cost of inaction over HTTP: hand-computed totals, ranges → 400 naming the field, save/history/compare."""

import pytest

from assessments.models import CostCalculation, MilestoneCompletion
from tests.platform_core.factories import UserFactory

pytestmark = pytest.mark.django_db

INPUTS = {
    "potentialDeals": 100, "averageDealSize": 10_000, "conversionRate": 0.2, "delayMonths": 6,
    "currentOperatingCost": 1_000_000, "inefficiencyRate": 0.1, "employeeCount": 10, "averageSalary": 100_000,
    "marketShare": 0.05,
}  # fmt: skip


def test_calculate_by_hand(auth_client, user):
    """Same case as test_formulas.test_cost_realistic_by_hand: total 177,000 (100,000 + 50,000 + 2,000 + 25,000)."""
    response = auth_client.post("/api/v1/cost-calculator/calculate", {**INPUTS, "scenario": "realistic"})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["summary"] == {"totalCost": 177_000.0, "monthlyCost": 14_750.0, "dailyCost": 484.93}
    assert set(data["categories"]) == {
        "lostRevenue",
        "operationalInefficiencies",
        "competitiveDisadvantage",
        "productivityLosses",
    }
    assert data["categories"]["competitiveDisadvantage"]["value"] == 2_000.0
    assert data["roiScenarios"]["realistic"]["paybackMonths"] == 4.24
    assert data["inputs"]["conversionRate"] == 0.2
    assert MilestoneCompletion.objects.filter(customer=user.customer, milestone="cost_calculation").exists()


def test_scenario_defaults_to_realistic_and_conservative_scales(auth_client):
    """Conservative multiplies every category by 0.8: 177,000 * 0.8 = 141,600."""
    assert auth_client.post("/api/v1/cost-calculator/calculate", INPUTS).json()["scenario"] == "realistic"
    conservative = auth_client.post("/api/v1/cost-calculator/calculate", {**INPUTS, "scenario": "conservative"})
    assert conservative.json()["summary"]["totalCost"] == 141_600.0


@pytest.mark.parametrize(
    ("field", "value"),
    [("potentialDeals", 10_001), ("potentialDeals", -1), ("averageDealSize", 10_000_001), ("conversionRate", 1.01),
     ("delayMonths", 25), ("currentOperatingCost", 100_000_001), ("inefficiencyRate", -0.1),
     ("employeeCount", 0), ("employeeCount", 100_001), ("averageSalary", 1_000_001), ("marketShare", 2),
     ("scenario", "apocalyptic")],
)  # fmt: skip
def test_out_of_range_input_is_a_400_naming_the_field_and_nothing_is_saved(auth_client, field, value):
    for endpoint in ("calculate", "save"):
        response = auth_client.post(f"/api/v1/cost-calculator/{endpoint}", {**INPUTS, field: value})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "validation_error"
        assert list(response.json()["error"]["details"]) == [field]
    assert not CostCalculation.objects.exists()
    assert not MilestoneCompletion.objects.exists()


def test_save_recomputes_on_the_server_and_history_lists_it(auth_client):
    body = {**INPUTS, "scenario": "aggressive", "name": "Q3 pipeline", "summary": {"totalCost": 1}}
    saved = auth_client.post("/api/v1/cost-calculator/save", body)
    assert saved.status_code == 201, saved.json()
    assert saved.json()["totalCost"] == 230_100.0  # 177,000 * 1.3
    history = auth_client.get("/api/v1/cost-calculator/history").json()
    assert [(row["name"], row["totalCost"]) for row in history["results"]] == [("Q3 pipeline", 230_100.0)]
    detail = auth_client.get(f"/api/v1/cost-calculator/history/{saved.json()['id']}/").json()
    assert detail["result"]["categories"]["lostRevenue"]["value"] == 130_000.0
    assert detail["inputs"]["employeeCount"] == 10


def test_compare_uses_the_full_formula_for_each_scenario(auth_client):
    """Intended behaviour: the old compare counted lost revenue only; every scenario here is the full total:
    177,000 * 0.8 = 141,600 and 177,000 * 1.3 = 230,100."""
    response = auth_client.post(
        "/api/v1/cost-calculator/compare", {"baseInputs": INPUTS, "scenarios": ["conservative", "aggressive"]}
    )
    assert response.status_code == 200, response.json()
    assert [(c["scenario"], c["totalCost"], c["multiplier"]) for c in response.json()["comparisons"]] == [
        ("conservative", 141_600.0, 0.8), ("aggressive", 230_100.0, 1.3),
    ]  # fmt: skip
    assert (
        auth_client.post("/api/v1/cost-calculator/compare", {"baseInputs": INPUTS, "scenarios": []}).status_code == 400
    )


def test_history_is_per_customer(auth_client):
    other = UserFactory()
    from rest_framework.test import APIClient

    theirs = APIClient()
    theirs.force_authenticate(other)
    saved = theirs.post("/api/v1/cost-calculator/save", INPUTS).json()
    assert auth_client.get("/api/v1/cost-calculator/history").json()["results"] == []
    assert auth_client.get(f"/api/v1/cost-calculator/history/{saved['id']}/").status_code == 404
