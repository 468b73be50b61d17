"""Server-side sessions: the cap, the idle timeout, refresh rotation and reuse, revocation."""

import pytest
from django.core.cache import cache
from rest_framework_simplejwt.tokens import RefreshToken

from platform_core.models import AuditEvent, UserSession
from tests.platform_core.factories import UserFactory
from tests.platform_core.security_support import bearer, error_code, login, make_idle, refresh

pytestmark = pytest.mark.django_db


def test_login_creates_a_session_listed_with_its_device():
    user = UserFactory()
    tokens = login(user.email, user_agent="Firefox/130", ip="10.1.2.3")

    response = bearer(tokens["access"]).get("/api/v1/auth/sessions/")

    assert response.status_code == 200
    [session] = response.json()
    assert session["id"] == tokens["sessionId"]
    assert session["userAgent"] == "Firefox/130"
    assert session["ip"] == "10.1.2.3"
    assert session["current"] is True
    row = UserSession.objects.get(pk=tokens["sessionId"])
    assert row.user == user and row.ended_at is None


def test_a_fourth_login_ends_the_oldest_session_and_its_tokens_are_refused():
    user = UserFactory()
    first, second, third = login(user.email), login(user.email), login(user.email)
    fourth = login(user.email)

    me = bearer(first["access"]).get("/api/v1/auth/me/")
    assert me.status_code == 401
    assert error_code(me) == "session_revoked"
    refreshed = refresh(first["refresh"])
    assert refreshed.status_code == 401
    assert error_code(refreshed) == "session_revoked"
    for alive in (second, third, fourth):
        assert bearer(alive["access"]).get("/api/v1/auth/me/").status_code == 200
    assert UserSession.objects.get(pk=first["sessionId"]).end_reason == "session_limit"
    listed = bearer(fourth["access"]).get("/api/v1/auth/sessions/").json()
    assert {s["id"] for s in listed} == {second["sessionId"], third["sessionId"], fourth["sessionId"]}


def test_the_session_cap_is_a_setting(settings):
    settings.SESSION_MAX_PER_USER = 1
    user = UserFactory()
    first = login(user.email)
    second = login(user.email)
    assert bearer(first["access"]).get("/api/v1/auth/me/").status_code == 401
    assert bearer(second["access"]).get("/api/v1/auth/me/").status_code == 200


def test_an_idle_session_expires_after_the_timeout():
    user = UserFactory()
    tokens = login(user.email)
    make_idle(tokens["sessionId"], minutes=29)
    assert bearer(tokens["access"]).get("/api/v1/auth/me/").status_code == 200  # activity resets the clock

    make_idle(tokens["sessionId"], minutes=31)
    response = bearer(tokens["access"]).get("/api/v1/auth/me/")

    assert response.status_code == 401
    assert error_code(response) == "session_expired"
    assert error_code(refresh(tokens["refresh"])) == "session_expired"
    assert UserSession.objects.get(pk=tokens["sessionId"]).end_reason == "idle"


def test_idle_timeout_is_a_setting(settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 5 * 60
    user = UserFactory()
    tokens = login(user.email)
    make_idle(tokens["sessionId"], minutes=6)
    assert error_code(bearer(tokens["access"]).get("/api/v1/auth/me/")) == "session_expired"


def test_an_idle_session_expires_even_when_redis_lost_its_copy():
    user = UserFactory()
    tokens = login(user.email)
    make_idle(tokens["sessionId"], minutes=31)
    cache.clear()  # Redis restarted or evicted the key: PostgreSQL decides

    response = bearer(tokens["access"]).get("/api/v1/auth/me/")

    assert response.status_code == 401
    assert error_code(response) == "session_expired"


def test_a_live_session_survives_redis_losing_its_copy():
    user = UserFactory()
    tokens = login(user.email)
    cache.clear()
    assert bearer(tokens["access"]).get("/api/v1/auth/me/").status_code == 200
    assert bearer(tokens["access"]).get("/api/v1/auth/me/").status_code == 200  # refilled


def test_refresh_rotates_and_reusing_a_rotated_token_revokes_the_session():
    user = UserFactory()
    tokens = login(user.email)
    rotated = refresh(tokens["refresh"])
    assert rotated.status_code == 200
    new = rotated.json()
    assert new["sessionId"] == tokens["sessionId"]
    assert bearer(new["access"]).get("/api/v1/auth/me/").status_code == 200

    replay = refresh(tokens["refresh"])  # the old refresh token again: someone holds a copy

    assert replay.status_code == 401
    assert error_code(replay) == "refresh_token_reused"
    assert error_code(refresh(new["refresh"])) == "session_revoked"
    assert error_code(bearer(new["access"]).get("/api/v1/auth/me/")) == "session_revoked"
    assert UserSession.objects.get(pk=tokens["sessionId"]).end_reason == "refresh_reuse"
    event = AuditEvent.objects.get(kind="refresh_token_reused")
    assert event.actor == user and event.customer == user.customer


def test_a_token_without_a_session_is_refused():
    user = UserFactory()
    legacy = RefreshToken.for_user(user)  # type: ignore[type-var]  # signed with our key but minted outside a login
    response = bearer(str(legacy.access_token)).get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert error_code(response) == "token_not_valid"
    assert error_code(refresh(str(legacy))) == "token_not_valid"


def test_ending_one_of_my_sessions_refuses_its_tokens_at_once():
    user = UserFactory()
    laptop, phone = login(user.email), login(user.email)

    response = bearer(laptop["access"]).delete(f"/api/v1/auth/sessions/{phone['sessionId']}/")

    assert response.status_code == 204
    assert error_code(bearer(phone["access"]).get("/api/v1/auth/me/")) == "session_revoked"
    assert bearer(laptop["access"]).get("/api/v1/auth/me/").status_code == 200
    assert AuditEvent.objects.filter(kind="session_revoked", actor_id=user.pk).exists()


def test_another_users_session_is_not_found():
    mine, theirs = UserFactory(), UserFactory()
    my_tokens, their_tokens = login(mine.email), login(theirs.email)
    response = bearer(my_tokens["access"]).delete(f"/api/v1/auth/sessions/{their_tokens['sessionId']}/")
    assert response.status_code == 404
    assert bearer(their_tokens["access"]).get("/api/v1/auth/me/").status_code == 200


def test_revoke_all_keeps_the_current_session_unless_asked():
    user = UserFactory()
    a, b, c = login(user.email), login(user.email), login(user.email)

    response = bearer(a["access"]).post("/api/v1/auth/sessions/revoke-all/", {}, format="json")

    assert response.json() == {"revoked": 2}
    assert bearer(a["access"]).get("/api/v1/auth/me/").status_code == 200
    assert bearer(b["access"]).get("/api/v1/auth/me/").status_code == 401
    assert bearer(c["access"]).get("/api/v1/auth/me/").status_code == 401

    everything = bearer(a["access"]).post("/api/v1/auth/sessions/revoke-all/", {"includeCurrent": True}, format="json")
    assert everything.json() == {"revoked": 1}
    assert bearer(a["access"]).get("/api/v1/auth/me/").status_code == 401


def test_revoke_all_rejects_a_non_boolean_flag():
    user = UserFactory()
    tokens = login(user.email)
    response = bearer(tokens["access"]).post(
        "/api/v1/auth/sessions/revoke-all/", {"includeCurrent": "yes"}, format="json"
    )
    assert response.status_code == 400
    assert "includeCurrent" in response.json()["error"]["details"]
    assert bearer(tokens["access"]).get("/api/v1/auth/me/").status_code == 200


def test_logout_ends_the_session_for_access_tokens_too():
    user = UserFactory()
    tokens = login(user.email)
    client = bearer(tokens["access"])
    assert client.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json").status_code == 204
    assert error_code(client.get("/api/v1/auth/me/")) == "session_revoked"


def test_admin_action_ends_a_users_sessions(client):
    staff = UserFactory(is_staff=True, is_superuser=True, customer=None)
    user = UserFactory()
    tokens = login(user.email)
    client.force_login(staff)

    response = client.post(
        "/admin/platform_core/user/", {"action": "revoke_sessions", "_selected_action": [user.pk]}, follow=True
    )

    assert response.status_code == 200
    assert error_code(bearer(tokens["access"]).get("/api/v1/auth/me/")) == "session_revoked"
    assert UserSession.objects.get(pk=tokens["sessionId"]).end_reason == "admin"


def test_deleting_a_user_in_the_admin_refuses_their_tokens_at_once(client):
    user = UserFactory()
    tokens = login(user.email)
    assert bearer(tokens["access"]).get("/api/v1/auth/me/").status_code == 200  # snapshot cached in Redis
    client.force_login(UserFactory(is_staff=True, is_superuser=True, customer=None))

    client.post(f"/admin/platform_core/user/{user.pk}/delete/", {"post": "yes"})

    response = bearer(tokens["access"]).get("/api/v1/auth/me/")
    assert response.status_code == 401
