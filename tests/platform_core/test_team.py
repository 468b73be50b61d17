"""Team: invitations (single use, 7-day expiry, new or existing user), members, removal."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from platform_core.models import ApiKey, TeamInvitation, User
from tests.platform_core.factories import PASSWORD, UserFactory
from tests.platform_core.security_support import bearer, error_code, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def owner_client(owner):
    return bearer(login(owner.email)["access"])


def invite(client, email: str = "new@example.com", role: str = "member") -> dict:
    response = client.post("/api/v1/team/invitations/", {"email": email, "role": role}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def accept(token: str, client: APIClient | None = None, **body):
    return (client or APIClient()).post("/api/v1/team/invitations/accept/", {"token": token, **body}, format="json")


def test_an_invitation_creates_an_account_once(owner, owner_client):
    invitation = invite(owner_client, "New@Example.com", role="admin")
    assert invitation["email"] == "new@example.com"
    expires = timezone.datetime.fromisoformat(invitation["expiresAt"])
    assert timedelta(days=6, hours=23) < expires - timezone.now() <= timedelta(days=7)
    listed = owner_client.get("/api/v1/team/invitations/").json()
    assert [i["id"] for i in listed] == [invitation["id"]] and "token" not in listed[0]

    joined = accept(invitation["token"], password=PASSWORD, fullName="Nia New")

    assert joined.status_code == 201, joined.content
    body = joined.json()
    assert body["user"]["customer"]["id"] == owner.customer_id
    assert body["user"]["role"] == "admin"
    assert bearer(body["tokens"]["access"]).get("/api/v1/auth/me/").json()["email"] == "new@example.com"
    again = accept(invitation["token"], password=PASSWORD)
    assert again.status_code == 410
    assert error_code(again) == "invitation_used"
    assert User.objects.filter(email="new@example.com").count() == 1
    assert owner_client.get("/api/v1/team/invitations/").json() == []


def test_an_expired_invitation_is_refused(owner_client):
    invitation = invite(owner_client)
    TeamInvitation.objects.filter(pk=invitation["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = accept(invitation["token"], password=PASSWORD)

    assert response.status_code == 410
    assert error_code(response) == "invitation_expired"
    assert not User.objects.filter(email="new@example.com").exists()


def test_a_withdrawn_or_unknown_invitation_is_refused(owner_client):
    invitation = invite(owner_client)
    assert owner_client.delete(f"/api/v1/team/invitations/{invitation['id']}/").status_code == 204
    assert error_code(accept(invitation["token"], password=PASSWORD)) == "invitation_revoked"
    unknown = accept("not-a-real-token", password=PASSWORD)
    assert unknown.status_code == 404
    assert error_code(unknown) == "invitation_not_found"


def test_a_weak_password_writes_nothing_and_the_invitation_stays_usable(owner_client):
    invitation = invite(owner_client)
    weak = accept(invitation["token"], password="123")
    assert weak.status_code == 400
    assert "password" in weak.json()["error"]["details"]
    assert not User.objects.filter(email="new@example.com").exists()
    assert accept(invitation["token"], password=PASSWORD).status_code == 201


def test_an_existing_user_accepts_while_signed_in(owner, owner_client):
    elsewhere = UserFactory(email="solo@example.com")  # owner of a one-person customer
    invitation = invite(owner_client, "solo@example.com", role="member")
    anonymous = accept(invitation["token"], password=PASSWORD)
    assert anonymous.status_code == 409
    assert error_code(anonymous) == "account_exists"
    their_client = bearer(login(elsewhere.email)["access"])

    joined = accept(invitation["token"], their_client)

    assert joined.status_code == 200
    assert joined.json()["user"]["customer"]["id"] == owner.customer_id
    assert their_client.get("/api/v1/auth/me/").json()["role"] == "member"  # the open session follows


def test_an_invitation_is_for_its_address_only(owner_client):
    invitation = invite(owner_client, "someone@example.com")
    intruder = bearer(login(UserFactory().email)["access"])
    response = accept(invitation["token"], intruder)
    assert response.status_code == 403
    assert error_code(response) == "invitation_email_mismatch"


def test_inviting_a_current_member_is_refused(owner, owner_client):
    colleague = UserFactory(customer=owner.customer, role="member")
    response = owner_client.post("/api/v1/team/invitations/", {"email": colleague.email}, format="json")
    assert response.status_code == 409
    assert error_code(response) == "already_member"


def test_members_are_listed_for_the_own_customer_only(owner, owner_client):
    colleague = UserFactory(customer=owner.customer, role="member")
    UserFactory()  # another customer
    response = owner_client.get("/api/v1/team/members/")
    assert response.status_code == 200
    assert {m["email"] for m in response.json()["results"]} == {owner.email, colleague.email}


def test_removing_a_member_ends_their_sessions_and_keys(owner, owner_client):
    colleague = UserFactory(customer=owner.customer, role="admin")
    tokens = login(colleague.email)
    colleague_client = bearer(tokens["access"])
    key = colleague_client.post("/api/v1/api-keys/", {"name": "ci", "scopes": ["read"]}, format="json").json()

    assert owner_client.delete(f"/api/v1/team/members/{colleague.pk}/").status_code == 204

    response = colleague_client.get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_revoked"
    assert ApiKey.objects.get(prefix=key["prefix"]).revoked
    relogin = APIClient().post("/api/v1/auth/token/", {"email": colleague.email, "password": PASSWORD}, format="json")
    assert relogin.status_code == 401
    assert colleague.email not in {m["email"] for m in owner_client.get("/api/v1/team/members/").json()["results"]}
