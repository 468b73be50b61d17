"""The research API's answers to bad input, in-process (no browser starts): invalid and private URLs."""

import pytest

from platform_core.models import Job
from tests.platform_core.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://files.example.com/x", "invalid_url"),
        ("javascript:alert(1)", "invalid_url"),
        ("file:///etc/passwd", "invalid_url"),
        ("http://user:pw@example.com/", "invalid_url"),
        ("http://exa mple.com/", "invalid_url"),
        ("http://example.com:99999/", "invalid_url"),
        ("", "invalid_url"),
        ("http://10.1.2.3/admin", "url_not_allowed"),
        ("http://169.254.169.254/latest/meta-data/", "url_not_allowed"),
        ("http://192.168.0.1/", "url_not_allowed"),
        ("http://[fd00::1]/", "url_not_allowed"),
        ("http://[::ffff:10.0.0.1]/", "url_not_allowed"),
        ("http://0.0.0.0/", "url_not_allowed"),
    ],
)
def test_an_invalid_or_private_url_is_refused_with_its_code_and_no_job(client_a, url, code):
    for path, body in [("/api/v1/research/screenshots", {"url": url}), ("/api/v1/research/companies", {"url": url})]:
        response = client_a.post(path, body, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["error"]["code"] == code
    assert not Job.objects.exists()


def test_loopback_is_refused_unless_its_network_is_allowed(client_a, settings):
    settings.RESEARCH_ALLOWED_NETWORKS = []
    response = client_a.post("/api/v1/research/screenshots", {"url": "http://127.0.0.1:8000/"}, format="json")
    assert response.json()["error"]["code"] == "url_not_allowed"
    response = client_a.post("/api/v1/research/companies", {"domain": "localhost"}, format="json")
    assert response.json()["error"]["code"] == "url_not_allowed"
    settings.RESEARCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert client_a.post("/api/v1/research/screenshots", {"url": "http://127.0.0.1:8000/"}).status_code == 202


def test_a_company_needs_a_url_or_a_domain_and_a_depth_of_0_or_1(client_a):
    response = client_a.post("/api/v1/research/companies", {"depth": 1}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_url")
    response = client_a.post("/api/v1/research/companies", {"domain": "acme.example", "depth": 5}, format="json")
    assert response.status_code == 400
    response = client_a.post("/api/v1/research/companies", {"domain": "acme.example"}, format="json")
    assert response.status_code == 202
    assert Job.objects.get().input == {"url": "https://acme.example/", "depth": 1, "refresh": False}


def test_research_needs_a_login_and_a_customer(api_client):
    assert api_client.post("/api/v1/research/screenshots", {"url": "https://acme.example"}).status_code == 401
    api_client.force_authenticate(user=UserFactory(customer=None))
    response = api_client.post("/api/v1/research/screenshots", {"url": "https://acme.example"})
    assert (response.status_code, response.json()["error"]["code"]) == (403, "no_customer")


def test_a_forged_screenshot_link_is_not_found(api_client):
    assert api_client.get("/api/v1/research/files/not-a-token/").status_code == 404


def test_an_expired_screenshot_link_is_gone(api_client):
    from django.core import signing
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from integrations.research.storage import LINK_SALT, file_link

    key = default_storage.save("research/screenshots/test/expired.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    try:
        link, _ = file_link(key=key, file_name="x.png", ttl_seconds=60)
        assert api_client.get(link).status_code == 200
        expired = signing.dumps({"key": key, "exp": 1}, salt=LINK_SALT, compress=True)
        response = api_client.get(f"/api/v1/research/files/{expired}/")
        assert (response.status_code, response.json()["error"]["code"]) == (410, "link_expired")
    finally:
        default_storage.delete(key)
