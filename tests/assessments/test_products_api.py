"""Product details CRUD: one primary per customer, validation of domain.md §2.3, tenant isolation."""

import pytest

from assessments.models import MilestoneCompletion, ProductDetails
from tests.assessments.factories import ProductFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/products/"
VALID = {
    "productName": "DealScope",
    "productDescription": "Scores B2B deals against the ideal customer profile",
    "distinguishingFeature": "Learns from closed-won deals",
    "businessModel": "b2b-subscription",
    "growthPotential": "high",
}


def test_the_first_product_is_primary_and_completes_initial_setup(auth_client, user):
    response = auth_client.post(URL, VALID)
    assert response.status_code == 201, response.json()
    assert response.json()["isPrimary"] is True
    assert response.json()["productName"] == "DealScope"
    assert MilestoneCompletion.objects.filter(customer=user.customer, milestone="initial_setup").exists()


def test_marking_another_primary_demotes_the_first(auth_client, user):
    first = auth_client.post(URL, VALID).json()
    second = auth_client.post(URL, {**VALID, "productName": "DealScope Pro", "isPrimary": True}).json()
    assert second["isPrimary"] is True
    assert ProductDetails.objects.get(pk=first["id"]).is_primary is False
    primary = auth_client.get(f"{URL}primary/").json()["product"]
    assert primary["id"] == second["id"]

    auth_client.patch(f"{URL}{first['id']}/", {"isPrimary": True})
    assert list(ProductDetails.objects.filter(is_primary=True).values_list("pk", flat=True)) == [first["id"]]


def test_deleting_the_primary_promotes_the_latest_other(auth_client):
    older = auth_client.post(URL, VALID).json()
    newer = auth_client.post(URL, {**VALID, "productName": "Newer"}).json()
    assert auth_client.delete(f"{URL}{older['id']}/").status_code == 204
    assert auth_client.get(f"{URL}{newer['id']}/").json()["isPrimary"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"businessModel": "b2g-barter"}, "businessModel"),
        ({"growthPotential": "infinite"}, "growthPotential"),
        ({"productName": ""}, "productName"),
        ({"productName": "x" * 201}, "productName"),
        ({"distinguishingFeature": None}, "distinguishingFeature"),
        ({"productDescription": "x" * 2001}, "productDescription"),
    ],
)
def test_invalid_product_is_rejected_and_nothing_saved(auth_client, change, field):
    response = auth_client.post(URL, {**VALID, **change})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["details"]
    assert not ProductDetails.objects.exists()


def test_another_customers_products_are_invisible(auth_client):
    theirs = ProductFactory()
    assert auth_client.get(URL).json()["results"] == []
    assert auth_client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert auth_client.patch(f"{URL}{theirs.pk}/", {"productName": "Hijacked"}).status_code == 404
    assert auth_client.delete(f"{URL}{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.product_name != "Hijacked"
    assert auth_client.get(f"{URL}primary/").json() == {"product": None}


def test_products_need_a_login(api_client):
    assert api_client.get(URL).status_code == 401
