"""A signed-in request knows its customer without a query; a change in the admin is seen at the next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from platform_core import gate
from platform_core.models import Customer
from tests.platform_core.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CUSTOMER_TABLE = Customer._meta.db_table


def _customer_reads(queries: CaptureQueriesContext) -> int:
    return sum(f'"{CUSTOMER_TABLE}"' in q["sql"] for q in queries.captured_queries)


def _signed_in(user) -> APIClient:
    client = APIClient()
    tokens = client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, format="json").json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client


def test_customer_scoped_reads_do_not_query_the_customer():
    client = _signed_in(UserFactory())
    assert client.get("/api/v1/progress").status_code == 200  # the first request writes the snapshot
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert client.get("/api/v1/progress").status_code == 200
            assert client.get("/api/v1/cost-calculator/history").status_code == 200
    assert _customer_reads(queries) == 0


def test_a_customer_changed_in_the_admin_is_reloaded_at_the_next_request(client):
    member = UserFactory()
    api = _signed_in(member)
    api.get("/api/v1/progress")
    staff = UserFactory(is_staff=True, is_superuser=True, customer=None)
    client.force_login(staff)
    customer = member.customer
    response = client.post(
        f"/admin/platform_core/customer/{customer.pk}/change/",
        {"name": "Renamed Co", "slug": customer.slug, "tier": "paid", "status": customer.status,
         "created_at_0": customer.created_at.strftime("%Y-%m-%d"), "created_at_1": "00:00:00"},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:500]
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/progress")  # reloads the user with its customer, once
        api.get("/api/v1/progress")
    assert _customer_reads(queries) == 1


def test_me_answers_from_the_snapshot_and_sees_a_profile_changed_in_the_admin(client):
    member = UserFactory(full_name="Ada Lovelace")
    api = _signed_in(member)
    with CaptureQueriesContext(connection) as queries:
        me = api.get("/api/v1/auth/me/").json()
    assert len(queries.captured_queries) == 0
    assert me["fullName"] == "Ada Lovelace" and me["email"] == member.email
    assert me["customer"]["id"] == member.customer_id and me["customer"]["name"] == member.customer.name
    assert me["dateJoined"] == member.date_joined.isoformat().replace("+00:00", "Z")

    staff = UserFactory(is_staff=True, is_superuser=True, customer=None)
    client.force_login(staff)
    response = client.post(
        f"/admin/platform_core/user/{member.pk}/change/",
        {
            "email": member.email,
            "full_name": "Ada King",
            "customer": member.customer_id,
            "role": member.role,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content[:500]
    assert api.get("/api/v1/auth/me/").json()["fullName"] == "Ada King"


def test_me_reads_the_row_when_the_snapshot_predates_the_profile_fields():
    member = UserFactory(full_name="Grace Hopper")
    api = _signed_in(member)
    gate.client().hdel(gate.user_key(member.pk), "name", "joined")  # a snapshot written by the previous release
    with CaptureQueriesContext(connection) as queries:
        me = api.get("/api/v1/auth/me/").json()
    assert len(queries.captured_queries) == 1
    assert me["fullName"] == "Grace Hopper" and me["customer"]["id"] == member.customer_id
