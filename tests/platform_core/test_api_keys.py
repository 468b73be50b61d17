"""API keys: shown once, stored hashed, sent in either header, bound by scopes, expiry and revocation."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from platform_core.models import ApiKey, AuditEvent, Job
from tests.platform_core.factories import UserFactory
from tests.platform_core.security_support import bearer, error_code, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def owner_client(owner):
    return bearer(login(owner.email)["access"])


def create_key(client, **body) -> dict:
    response = client.post("/api/v1/api-keys/", {"name": "ci", "scopes": ["read"], **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def key_client(key: str, *, header: str = "authorization") -> APIClient:
    client = APIClient()
    if header == "authorization":
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    else:
        client.credentials(HTTP_X_API_KEY=key)
    return client


def test_a_key_is_shown_once_and_stored_only_as_a_hash(owner, owner_client):
    created = create_key(owner_client, name="zapier", scopes=["read", "assessments:write"])

    key = created["key"]
    assert key.startswith(created["prefix"] + ".")
    assert created["scopes"] == ["assessments:write", "read"]
    row = ApiKey.objects.get(prefix=created["prefix"])
    assert row.customer == owner.customer and row.created_by == owner
    secret = key.split(".", 1)[1]
    stored = [str(getattr(row, f.attname)) for f in ApiKey._meta.concrete_fields]
    assert not any(secret in value for value in stored)
    assert row.hashed_key.startswith("sha512$$")
    listed = owner_client.get("/api/v1/api-keys/").json()
    assert [k["prefix"] for k in listed] == [created["prefix"]]
    assert "key" not in listed[0]
    assert AuditEvent.objects.filter(kind="api_key_created", actor=owner, target=f"api_key:{created['prefix']}")


@pytest.mark.parametrize("header", ["authorization", "x-api-key"])
def test_a_key_authenticates_in_either_header(owner, owner_client, header):
    Job.objects.create(customer=owner.customer, user=owner, kind="export", task_name="x.y")
    created = create_key(owner_client)

    response = key_client(created["key"], header=header).get("/api/v1/jobs/")

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert ApiKey.objects.get(prefix=created["prefix"]).last_used_at is not None


def test_scopes_bound_what_a_key_may_do(owner, owner_client):
    job = Job.objects.create(customer=owner.customer, user=owner, kind="export", task_name="x.y")
    read_only = key_client(create_key(owner_client, scopes=["read"])["key"])
    other_app = key_client(create_key(owner_client, scopes=["assessments:read"])["key"])
    writer = key_client(create_key(owner_client, scopes=["platform_core:write"])["key"])

    denied = read_only.post(f"/api/v1/jobs/{job.id}/cancel/")
    assert denied.status_code == 403
    assert error_code(denied) == "api_key_scope"
    assert error_code(other_app.get("/api/v1/jobs/")) == "api_key_scope"
    assert writer.get("/api/v1/jobs/").status_code == 200  # write includes read
    assert writer.post(f"/api/v1/jobs/{job.id}/cancel/").status_code == 200


def test_an_expired_key_is_refused(owner_client):
    created = create_key(owner_client, expiresAt=(timezone.now() + timedelta(days=1)).isoformat())
    client = key_client(created["key"])
    assert client.get("/api/v1/jobs/").status_code == 200

    ApiKey.objects.filter(prefix=created["prefix"]).update(expiry_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/jobs/")

    assert response.status_code == 401
    assert error_code(response) == "api_key_expired"


def test_an_expiry_in_the_past_is_refused_at_creation(owner_client):
    response = owner_client.post(
        "/api/v1/api-keys/",
        {"name": "ci", "scopes": ["read"], "expiresAt": (timezone.now() - timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert error_code(response) == "invalid_expiry"
    assert not ApiKey.objects.exists()


def test_a_revoked_key_is_refused(owner, owner_client):
    created = create_key(owner_client)
    client = key_client(created["key"])
    assert client.get("/api/v1/jobs/").status_code == 200

    assert owner_client.delete(f"/api/v1/api-keys/{created['prefix']}/").status_code == 204

    response = client.get("/api/v1/jobs/")
    assert response.status_code == 401
    assert error_code(response) == "api_key_invalid"
    assert AuditEvent.objects.filter(kind="api_key_revoked", actor=owner).count() == 1


def test_wrong_keys_are_refused():
    for key in ["nonsense", "abcd1234.wrong-secret", ""]:
        response = key_client(key).get("/api/v1/jobs/")
        assert response.status_code == 401
    assert error_code(key_client("abcd1234.wrong").get("/api/v1/jobs/")) == "api_key_invalid"


def test_a_tampered_secret_with_a_real_prefix_is_refused(owner_client):
    created = create_key(owner_client)
    response = key_client(created["prefix"] + ".not-the-secret").get("/api/v1/jobs/")
    assert response.status_code == 401
    assert error_code(response) == "api_key_invalid"


def test_a_key_cannot_manage_keys(owner_client):
    client = key_client(create_key(owner_client, scopes=["write"])["key"])
    response = client.post("/api/v1/api-keys/", {"name": "more", "scopes": ["write"]}, format="json")
    assert response.status_code == 403
    assert error_code(response) == "api_key_not_allowed"


def test_unknown_scopes_are_rejected(owner_client):
    response = owner_client.post("/api/v1/api-keys/", {"name": "ci", "scopes": ["admin"]}, format="json")
    assert response.status_code == 400
    assert "scopes" in response.json()["error"]["details"]
    wrong_type = owner_client.post("/api/v1/api-keys/", {"name": 12, "scopes": "read"}, format="json")
    assert wrong_type.status_code == 400
    assert set(wrong_type.json()["error"]["details"]) == {"name", "scopes"}
    assert not ApiKey.objects.exists()


def test_another_customers_keys_are_invisible(owner_client):
    other = UserFactory()
    theirs = create_key(bearer(login(other.email)["access"]))
    assert owner_client.get("/api/v1/api-keys/").json() == []
    assert owner_client.delete(f"/api/v1/api-keys/{theirs['prefix']}/").status_code == 404
    assert key_client(theirs["key"]).get("/api/v1/jobs/").status_code == 200


def test_staff_revoke_keys_from_the_admin(client, owner_client):
    created = create_key(owner_client)
    client.force_login(UserFactory(is_staff=True, is_superuser=True, customer=None))
    assert client.get("/admin/platform_core/apikey/").status_code == 200

    client.post(
        "/admin/platform_core/apikey/",
        {"action": "revoke", "_selected_action": [ApiKey.objects.get(prefix=created["prefix"]).pk]},
    )

    assert error_code(key_client(created["key"]).get("/api/v1/jobs/")) == "api_key_invalid"
