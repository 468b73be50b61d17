"""Gateway hygiene: versions, body size, strict input types, security headers, CORS, deprecated routes."""

from datetime import date

import pytest
from django.test import Client
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_core.gateway import deprecated
from tests.platform_core.factories import UserFactory
from tests.platform_core.security_support import bearer, login

pytestmark = pytest.mark.django_db


class LegacyPing(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"pong": True})


urlpatterns = [
    path("api/v1/legacy-ping/", deprecated(sunset=date(2027, 6, 30), successor="/api/v1/ping/")(LegacyPing.as_view())),
    path("", include("config.urls")),
]


def test_an_unknown_api_version_is_a_clear_404(client):
    response = client.get("/api/v2/auth/me/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "unsupported_api_version",
            "message": "API version v2 does not exist.",
            "details": {"supported": ["v1"]},
        }
    }
    assert client.get("/api/v1/no-such-thing/").json()["error"]["code"] == "not_found"


def test_a_body_over_the_limit_is_refused_before_parsing(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
    response = client.post(
        "/api/v1/auth/register/", data=b"x" * (10 * 1024 * 1024 + 1), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert response.json()["error"]["details"] == {"maxBytes": 10 * 1024 * 1024}


def test_inputs_are_strictly_typed(api_client):
    user = UserFactory()
    for body in ({"email": 12345, "password": "x"}, {"email": user.email, "password": True}, ["not", "an", "object"]):
        response = api_client.post("/api/v1/auth/token/", body, format="json")
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == "validation_error"


def test_security_headers(client, settings):
    response = client.get("/api/v1/auth/me/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response  # development: no HSTS

    settings.SECURE_HSTS_SECONDS = 31_536_000  # what DJANGO_ENV=production sets
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    secure = Client().get("/api/v1/auth/me/", secure=True)  # a new handler reads the settings again
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_cors_allows_the_frontend_origin_and_its_headers(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    preflight = client.options(
        "/api/v1/jobs/",
        HTTP_ORIGIN="https://app.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,x-api-key",
    )
    assert preflight["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "x-api-key" in preflight["Access-Control-Allow-Headers"]

    tokens = login(UserFactory().email)
    response = bearer(tokens["access"]).get("/api/v1/jobs/", HTTP_ORIGIN="https://app.example.com")
    exposed = response["Access-Control-Expose-Headers"]
    assert {"X-RateLimit-Remaining", "Retry-After", "X-Request-ID"} <= set(exposed.replace(" ", "").split(","))

    foreign = client.get("/api/v1/auth/me/", HTTP_ORIGIN="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in foreign


@pytest.mark.urls(__name__)
def test_a_deprecated_route_announces_its_sunset(client):
    response = client.get("/api/v1/legacy-ping/")
    assert response.status_code == 200
    assert response["Deprecation"] == "true"
    assert response["Sunset"] == "Wed, 30 Jun 2027 00:00:00 GMT"
    assert response["Link"] == '</api/v1/ping/>; rel="successor-version"'
    assert "Deprecation" not in client.get("/api/v1/auth/me/")
