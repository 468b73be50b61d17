"""Roles on every write: readonly never writes; only owners and admins manage keys and members."""

import pytest

from platform_core.models import Job, User
from tests.platform_core.factories import CustomerFactory, UserFactory
from tests.platform_core.security_support import bearer, error_code, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    customer = CustomerFactory()
    return {role: UserFactory(customer=customer, role=role) for role in User.Role.values}


def signed_in(user: User):
    return bearer(login(user.email)["access"])


def test_readonly_reads_but_cannot_write(team):
    readonly = team["readonly"]
    job = Job.objects.create(customer=readonly.customer, user=readonly, kind="export", task_name="x.y")
    client = signed_in(readonly)

    assert client.get("/api/v1/jobs/").status_code == 200
    response = client.post(f"/api/v1/jobs/{job.id}/cancel/")

    assert response.status_code == 403
    assert error_code(response) == "read_only_role"
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED


def test_readonly_may_still_end_its_own_sessions(team):
    tokens = login(team["readonly"].email)
    client = bearer(tokens["access"])
    assert client.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json").status_code == 204


@pytest.mark.parametrize("role", ["member", "readonly"])
def test_members_cannot_manage_keys_or_the_team(team, role):
    client = signed_in(team[role])
    attempts = [
        client.post("/api/v1/api-keys/", {"name": "ci", "scopes": ["read"]}, format="json"),
        client.get("/api/v1/api-keys/"),
        client.post("/api/v1/team/invitations/", {"email": "new@example.com"}, format="json"),
        client.patch(f"/api/v1/team/members/{team['member'].pk}/", {"role": "admin"}, format="json"),
        client.delete(f"/api/v1/team/members/{team['member'].pk}/"),
        client.get("/api/v1/audit-events/"),
    ]
    for response in attempts:
        assert response.status_code == 403, response.content
        assert error_code(response) in {"manager_role_required", "read_only_role"}
    assert User.objects.get(pk=team["member"].pk).role == "member"


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owners_and_admins_manage_keys(team, role):
    response = signed_in(team[role]).post("/api/v1/api-keys/", {"name": "ci", "scopes": ["read"]}, format="json")
    assert response.status_code == 201


def test_an_admin_cannot_touch_owners(team):
    client = signed_in(team["admin"])
    promote = client.patch(f"/api/v1/team/members/{team['member'].pk}/", {"role": "owner"}, format="json")
    demote = client.patch(f"/api/v1/team/members/{team['owner'].pk}/", {"role": "member"}, format="json")
    remove = client.delete(f"/api/v1/team/members/{team['owner'].pk}/")
    assert [r.status_code for r in (promote, demote, remove)] == [403, 403, 403]
    assert {error_code(r) for r in (promote, demote, remove)} == {"owner_required"}
    assert User.objects.get(pk=team["owner"].pk).role == "owner"


def test_a_role_change_applies_to_open_sessions_at_once(team):
    member = team["member"]
    job = Job.objects.create(customer=member.customer, user=member, kind="export", task_name="x.y")
    member_client = signed_in(member)
    assert member_client.get("/api/v1/jobs/").status_code == 200  # the session's user snapshot is cached now

    changed = signed_in(team["owner"]).patch(f"/api/v1/team/members/{member.pk}/", {"role": "readonly"}, format="json")

    assert changed.status_code == 200
    assert changed.json()["role"] == "readonly"
    assert error_code(member_client.post(f"/api/v1/jobs/{job.id}/cancel/")) == "read_only_role"


def test_the_last_owner_stays(team):
    response = signed_in(team["owner"]).patch(
        f"/api/v1/team/members/{team['owner'].pk}/", {"role": "admin"}, format="json"
    )
    assert response.status_code == 409
    assert error_code(response) == "last_owner"


def test_another_customers_member_is_not_found(team):
    stranger = UserFactory()
    response = signed_in(team["owner"]).patch(f"/api/v1/team/members/{stranger.pk}/", {"role": "admin"}, format="json")
    assert response.status_code == 404
    assert User.objects.get(pk=stranger.pk).role == "owner"


def test_an_unknown_role_is_a_validation_error(team):
    response = signed_in(team["owner"]).patch(
        f"/api/v1/team/members/{team['member'].pk}/", {"role": "superuser"}, format="json"
    )
    assert response.status_code == 400
    assert "role" in response.json()["error"]["details"]
