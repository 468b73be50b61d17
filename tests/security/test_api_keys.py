"""Issue 13 item 1: an API key acts only inside the customer it was made in, and only where a view
declares its scope (the rule lives in platform_core.authentication.ApiKeyAuthentication)."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from platform_core.models import ApiKey, Job, User
from tests.platform_core.factories import UserFactory
from tests.platform_core.security_support import bearer, error_code, login

pytestmark = pytest.mark.django_db


def key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    return client


def make_key(owner: User, scopes: list[str]) -> str:
    response = bearer(login(owner.email)["access"]).post(
        "/api/v1/api-keys/", {"name": "ci", "scopes": scopes}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["key"]


def invite_and_accept(inviter: User, invitee: User):
    invitation = bearer(login(inviter.email)["access"]).post(
        "/api/v1/team/invitations/", {"email": invitee.email, "role": "member"}, format="json"
    )
    assert invitation.status_code == 201, invitation.content
    return bearer(login(invitee.email)["access"]).post(
        "/api/v1/team/invitations/accept/", {"token": invitation.json()["token"]}, format="json"
    )


def test_a_key_stops_when_its_creator_joins_another_customer():
    alice: Any = UserFactory()  # alice owns A, bob owns B
    bob: Any = UserFactory()
    Job.objects.create(customer=bob.customer, user=bob, kind="export", task_name="x.y")
    key = key_client(make_key(alice, ["write"]))
    assert key.get("/api/v1/jobs/").json()["count"] == 0

    assert invite_and_accept(bob, alice).status_code == 200

    response = key.get("/api/v1/jobs/")  # used to list (and write) B's data as alice
    assert response.status_code == 401
    assert error_code(response) == "api_key_invalid"
    # Still listed under A, revoked, where A's owners see it.
    row = ApiKey.objects.get()
    assert row.revoked and row.customer_id != bob.customer_id


def test_a_key_whose_creator_moved_by_any_path_is_refused():
    """Not only the invitation path: the key is bound to its customer at authentication."""
    alice, bob = UserFactory(), UserFactory()
    key = key_client(make_key(alice, ["read"]))
    User.objects.filter(pk=alice.pk).update(customer=bob.customer)  # e.g. staff moved her in the admin

    response = key.get("/api/v1/jobs/")
    assert response.status_code == 401
    assert error_code(response) == "api_key_invalid"


def test_a_key_cannot_act_on_views_that_also_let_anonymous_callers_in():
    owner, other = UserFactory(), UserFactory()
    invitation = bearer(login(other.email)["access"]).post(
        "/api/v1/team/invitations/", {"email": owner.email, "role": "member"}, format="json"
    )
    key = key_client(make_key(owner, ["assessments:read"]))

    response = key.post("/api/v1/team/invitations/accept/", {"token": invitation.json()["token"]}, format="json")

    assert response.status_code == 403
    assert error_code(response) == "api_key_not_allowed"
    owner.refresh_from_db()
    assert owner.customer_id != other.customer_id


def test_scopes_are_declared_by_views_and_undeclared_views_take_no_keys():
    owner = UserFactory()
    reader = key_client(make_key(owner, ["assessments:read"]))

    assert reader.get("/api/v1/products/").status_code == 200  # api_key_scope = "assessments"
    assert error_code(reader.post("/api/v1/products/", {"productName": "X"}, format="json")) == "api_key_scope"
    assert error_code(reader.get("/api/v1/exports/")) == "api_key_scope"  # declared "exports"
    ticket = reader.post("/api/v1/realtime/ticket/")  # declares no scope: sign-in only
    assert ticket.status_code == 403 and error_code(ticket) == "api_key_not_allowed"
