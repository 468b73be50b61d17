"""The audit log: each security event is written with actor, customer, IP, user agent and time."""

import pytest
from rest_framework.test import APIClient

from platform_core.models import AuditEvent
from platform_core.services.audit import audit_record
from tests.platform_core.factories import PASSWORD, UserFactory
from tests.platform_core.security_support import bearer, login, refresh

pytestmark = pytest.mark.django_db


def test_every_security_event_is_recorded_with_who_where_and_when():
    owner = UserFactory()
    colleague = UserFactory(customer=owner.customer, role="member")
    APIClient().post(
        "/api/v1/auth/token/", {"email": owner.email, "password": "wrong"}, format="json",
        HTTP_USER_AGENT="curl/8", REMOTE_ADDR="192.0.2.10",
    )  # fmt: skip
    tokens = login(owner.email, user_agent="Firefox/130", ip="192.0.2.10")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}", HTTP_USER_AGENT="Firefox/130")
    key = client.post("/api/v1/api-keys/", {"name": "ci", "scopes": ["read"]}, format="json").json()
    client.delete(f"/api/v1/api-keys/{key['prefix']}/")
    client.patch(f"/api/v1/team/members/{colleague.pk}/", {"role": "admin"}, format="json")
    other_session = login(owner.email)["sessionId"]
    client.delete(f"/api/v1/auth/sessions/{other_session}/")
    client.delete(f"/api/v1/team/members/{colleague.pk}/")
    replayed = login(owner.email)["refresh"]
    assert refresh(replayed).status_code == 200
    assert refresh(replayed).status_code == 401
    audit_record(kind=AuditEvent.Kind.EXPORT_DOWNLOADED, actor=owner, target="export:42")  # as exports records it

    kinds = set(AuditEvent.objects.filter(customer_id=owner.customer_id).values_list("kind", flat=True))
    assert kinds >= {
        "login_failed", "login_succeeded", "api_key_created", "api_key_revoked", "role_changed",
        "session_revoked", "member_removed", "export_downloaded", "refresh_token_reused",
    }  # fmt: skip
    failed = AuditEvent.objects.get(kind="login_failed")
    assert (failed.actor_email, failed.ip, failed.user_agent, failed.actor) == (
        owner.email,
        "192.0.2.10",
        "curl/8",
        None,
    )
    role = AuditEvent.objects.get(kind="role_changed")
    assert role.actor == owner and role.customer == owner.customer and role.user_agent == "Firefox/130"
    assert role.details == {"email": colleague.email, "from": "member", "to": "admin"}
    assert role.created_at is not None


def test_a_customer_admin_reads_only_its_own_events():
    owner, stranger = UserFactory(), UserFactory()
    login(stranger.email)
    APIClient().post("/api/v1/auth/token/", {"email": stranger.email, "password": "nope"}, format="json")
    client = bearer(login(owner.email)["access"])

    response = client.get("/api/v1/audit-events/")

    assert response.status_code == 200
    events = response.json()["results"]
    assert [e["kind"] for e in events] == ["login_succeeded"]
    assert events[0]["actorEmail"] == owner.email
    failures = client.get("/api/v1/audit-events/?kind=login_failed")
    assert failures.json()["results"] == []
    assert client.get("/api/v1/audit-events/?kind=nonsense").status_code == 400


def test_the_audit_log_is_read_only_in_the_admin(client):
    user = UserFactory()
    login(user.email)
    event = AuditEvent.objects.get(kind="login_succeeded")
    client.force_login(UserFactory(is_staff=True, is_superuser=True, customer=None, password=PASSWORD))

    assert client.get("/admin/platform_core/auditevent/").status_code == 200
    assert client.get("/admin/platform_core/auditevent/add/").status_code == 403
    assert client.post(f"/admin/platform_core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/platform_core/auditevent/{event.pk}/change/", {"kind": "login_failed"})
    event.refresh_from_db()
    assert event.kind == "login_succeeded"
