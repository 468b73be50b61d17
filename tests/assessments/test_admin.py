"""Staff pages of every assessments model load, search and filter; computed fields cannot be edited."""

import pytest

from tests.assessments.factories import CompletedSessionFactory, ProductFactory
from tests.platform_core.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = ["assessmentsession", "assessmentclaimtoken", "productdetails", "costcalculation", "businesscase",
          "milestonecompletion", "progressaction"]  # fmt: skip


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, customer=None))
    return client


@pytest.fixture
def artifacts(auth_client, api_client):
    session = CompletedSessionFactory(company_name="Searchable Corp")
    api_client.post(f"/api/v1/assessments/{session.session_id}/claim-token")
    ProductFactory(product_name="Findable product")
    auth_client.post("/api/v1/business-case/generate", {
        "type": "pilot", "requirements": {"timeline": 6, "budget": 50_000, "successMetrics": ["Win rate up"]},
        "context": {"industry": "technology", "companySize": "smb"},
    })  # fmt: skip
    auth_client.post("/api/v1/cost-calculator/save", {
        "potentialDeals": 1, "averageDealSize": 1, "conversionRate": 0.1, "delayMonths": 1, "currentOperatingCost": 1,
        "inefficiencyRate": 0.1, "employeeCount": 1, "averageSalary": 1, "marketShare": 0.1, "name": "Q3",
    })  # fmt: skip
    return session


@pytest.mark.parametrize("model", MODELS)
def test_changelists_load_with_search(staff_client, artifacts, model):
    response = staff_client.get(f"/admin/assessments/{model}/", {"q": "a"})
    assert response.status_code == 200


def test_session_search_filter_and_read_only_scores(staff_client, artifacts):
    listing = staff_client.get("/admin/assessments/assessmentsession/", {"q": "Searchable"}).content.decode()
    assert artifacts.session_id in listing
    filtered = staff_client.get("/admin/assessments/assessmentsession/", {"status__exact": "linked"}).content.decode()
    assert artifacts.session_id not in filtered

    page = staff_client.get(f"/admin/assessments/assessmentsession/{artifacts.pk}/change/").content.decode()
    assert 'name="company_name"' in page  # editable
    assert 'name="overall_score"' not in page  # computed: shown, not editable
    assert "Searchable Corp" in page


def test_product_search_finds_by_name(staff_client, artifacts):
    assert (
        "Findable product" in staff_client.get("/admin/assessments/productdetails/", {"q": "Findable"}).content.decode()
    )
