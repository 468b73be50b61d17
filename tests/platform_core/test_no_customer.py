"""A signed-in user without a customer (platform staff) gets one answer from every customer-owned
endpoint: 403 `no_customer`. Before, the same user got 403 from some, 404 from others (branding,
Airtable connections, API keys) and an empty list from a third group (jobs, exports, team, document types)."""

import pytest
from rest_framework.test import APIClient

from platform_core.services.sessions import session_create
from tests.platform_core.factories import UserFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/api/v1/users/", None),
    ("get", "/api/v1/jobs/", None),
    ("get", "/api/v1/exports/", None),
    ("post", "/api/v1/exports/", {"document": "cost_of_inaction", "format": "pdf"}),
    ("get", "/api/v1/exports/documents/", None),
    ("get", "/api/v1/exports/branding/", None),
    ("put", "/api/v1/exports/branding/", {"color": "#112233"}),
    ("get", "/api/v1/api-keys/", None),
    ("post", "/api/v1/api-keys/", {"name": "ci", "scopes": ["exports"]}),
    ("get", "/api/v1/team/members/", None),
    ("get", "/api/v1/team/invitations/", None),
    ("get", "/api/v1/audit-events/", None),
    ("get", "/api/v1/webhook-endpoints/", None),
    ("post", "/api/v1/webhook-endpoints/", {"url": "https://hooks.example.com/a", "eventTypes": ["export.ready"]}),
    ("get", "/api/v1/integrations/airtable/connections/", None),
    ("post", "/api/v1/integrations/airtable/connections/", {"baseId": "appAAAAAAAAAAAAAA", "token": "pat.x"}),
    ("post", "/api/v1/research/screenshots", {"url": "https://acme.example"}),
    ("post", "/api/v1/research/companies", {"domain": "acme.example"}),
    ("post", "/api/v1/analytics/events", {"events": [{"type": "page.viewed"}]}),
    ("get", "/api/v1/analytics/dashboard", None),
    ("get", "/api/v1/assessments/", None),
    ("post", "/api/v1/assessments/claim", {"token": "not-a-token"}),
    ("get", "/api/v1/products/", None),
    ("get", "/api/v1/cost-calculator/history", None),
    ("get", "/api/v1/icp-analyses/", None),
    ("get", "/api/v1/progress", None),
]


@pytest.fixture
def staff_client() -> APIClient:
    staff = UserFactory(customer=None, is_staff=True)  # role owner: the role is not what refuses it
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {session_create(user=staff).access}")
    return client


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
def test_a_user_without_a_customer_is_answered_403_no_customer(staff_client, method, path, body):
    response = getattr(staff_client, method)(path, body, format="json")

    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "no_customer"


def test_a_user_without_a_customer_still_reads_their_own_profile(staff_client):
    response = staff_client.get("/api/v1/auth/me/")

    assert response.status_code == 200
    assert response.json()["email"].endswith("@example.com")
