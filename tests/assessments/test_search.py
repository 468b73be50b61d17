"""Full-text search over the customer's saved artifacts, served by GIN indexes."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from assessments.models import ProductDetails
from assessments.selectors import artifact_search_queryset, search_query
from tests.assessments.factories import ProductFactory
from tests.platform_core.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_search_finds_products_calculations_and_business_cases(auth_client, user):
    ProductFactory(customer=user.customer, product_name="Forecasting engine", product_description="Predicts churn")
    ProductFactory(customer=user.customer, product_name="Unrelated", product_description="Invoices")
    auth_client.post("/api/v1/cost-calculator/save", {
        "potentialDeals": 1, "averageDealSize": 1, "conversionRate": 0.1, "delayMonths": 1,
        "currentOperatingCost": 1, "inefficiencyRate": 0.1, "employeeCount": 1, "averageSalary": 1,
        "marketShare": 0.1, "name": "Churn forecasting delay",
    })  # fmt: skip
    response = auth_client.get("/api/v1/search", {"q": "forecast"})
    assert response.status_code == 200
    hits = response.json()["results"]
    assert sorted((h["type"], h["title"]) for h in hits) == [
        ("cost_calculation", "Churn forecasting delay"), ("product", "Forecasting engine"),
    ]  # fmt: skip
    # The stemmer matches "churn" in a description, and the title hit ranks above it.
    churn = auth_client.get("/api/v1/search", {"q": "churn"}).json()["results"]
    assert [h["type"] for h in churn] == ["cost_calculation", "product"]


def test_search_never_shows_another_customers_artifacts(auth_client):
    ProductFactory(product_name="Secret forecasting roadmap")
    assert auth_client.get("/api/v1/search", {"q": "forecasting"}).json()["results"] == []
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    assert stranger.get("/api/v1/search", {"q": "forecasting"}).json()["results"] == []


@pytest.mark.parametrize("params", [{}, {"q": "a"}, {"q": "x" * 201}])
def test_search_needs_a_sensible_query(auth_client, params):
    response = auth_client.get("/api/v1/search", params)
    assert response.status_code == 400
    assert "q" in response.json()["error"]["details"]


@pytest.mark.django_db(transaction=True)  # VACUUM runs outside a transaction and sees committed rows
def test_search_uses_the_gin_index(user):
    """A customer with thousands of products and a rare term: the planner answers it from the GIN index.
    VACUUM ANALYZE stands in for autovacuum: it flushes the GIN pending list (fastupdate) and gathers
    the tsvector statistics; before that the planner prices the index as if every row were pending."""
    ProductDetails.objects.bulk_create(
        ProductFactory.build(customer=user.customer, product_name=f"Product {n}", is_primary=False) for n in range(3000)
    )
    ProductFactory(customer=user.customer, product_name="Forecasting engine", is_primary=False)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {ProductDetails._meta.db_table}")
    qs = artifact_search_queryset(model=ProductDetails, customer=user.customer, query=search_query("forecasting"))
    plan = qs.explain()
    assert "Bitmap Index Scan on product_search_gin" in plan, plan
    assert [p.product_name for p in qs] == ["Forecasting engine"]
