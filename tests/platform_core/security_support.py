"""Helpers for the security tests: sign in through the API, call with a token, move a session's clock."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from platform_core import gate
from platform_core.models import UserSession
from tests.platform_core.factories import PASSWORD


def login(email: str, password: str = PASSWORD, *, user_agent: str = "pytest", ip: str = "127.0.0.1") -> dict:
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"email": email, "password": password},
        format="json",
        HTTP_USER_AGENT=user_agent,
        REMOTE_ADDR=ip,
    )
    assert response.status_code == 200, response.content
    return response.json()


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def refresh(token: str):
    return APIClient().post("/api/v1/auth/token/refresh/", {"refresh": token}, format="json")


def make_idle(session_id: str, *, minutes: int) -> None:
    """Move the session's last activity `minutes` into the past, in PostgreSQL and in Redis."""
    seen = timezone.now() - timedelta(minutes=minutes)
    UserSession.objects.filter(pk=session_id).update(last_seen_at=seen)
    gate.client().hset(gate.session_key(session_id), "seen", repr(seen.timestamp()))


def error_code(response) -> str:
    return response.json()["error"]["code"]
