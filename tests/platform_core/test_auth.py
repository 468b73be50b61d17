import pytest
from rest_framework.test import APIClient

from platform_core.models import Customer, User
from tests.platform_core.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def obtain_tokens(client: APIClient, email: str, password: str = PASSWORD) -> dict:
    response = client.post("/api/v1/auth/token/", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_register_then_token_then_me(api_client):
    response = api_client.post(
        "/api/v1/auth/register/",
        {"email": "Founder@Acme.io", "password": PASSWORD, "fullName": "Ada Founder", "companyName": "Acme Labs"},
        format="json",
    )
    assert response.status_code == 201, response.content
    # No tokens and no account data: the answer is the same for an address that already has an account.
    assert response.json() == {
        "email": "founder@acme.io",
        "verificationSent": True,
        "message": "Check your e-mail to verify the address; you can sign in meanwhile.",
    }

    tokens = obtain_tokens(api_client, "founder@acme.io")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = api_client.get("/api/v1/auth/me/")
    assert me.status_code == 200
    assert me.json()["fullName"] == "Ada Founder"
    assert me.json()["role"] == "owner" and me.json()["customer"]["name"] == "Acme Labs"
    assert me.json()["customer"]["slug"] == "acme-labs"
    # Argon2 stores the password.
    assert User.objects.get(email="founder@acme.io").password.startswith("argon2")


def test_register_rejects_bad_input_and_writes_nothing(api_client):
    UserFactory(email="taken@example.com")
    customers_before = Customer.objects.count()

    weak = api_client.post(
        "/api/v1/auth/register/", {"email": "new@example.com", "password": "123", "companyName": "X"}, format="json"
    )
    assert weak.status_code == 400
    assert weak.json()["error"]["code"] == "validation_error"
    assert "password" in weak.json()["error"]["details"]

    taken = api_client.post(
        "/api/v1/auth/register/",
        {"email": "taken@example.com", "password": PASSWORD, "companyName": "X"},
        format="json",
    )
    # As for a new address (the owner is e-mailed instead): registering reveals no account.
    assert taken.status_code == 201
    assert taken.json()["email"] == "taken@example.com"
    assert User.objects.filter(email="taken@example.com").count() == 1

    missing = api_client.post("/api/v1/auth/register/", {"email": "not-an-email"}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()["error"]["details"]) == {"email", "password", "companyName"}
    assert Customer.objects.count() == customers_before


def test_wrong_password_is_401_in_the_error_shape(api_client):
    user = UserFactory()
    response = api_client.post("/api/v1/auth/token/", {"email": user.email, "password": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "no_active_account"


def test_refresh_rotates_and_the_used_refresh_token_is_refused(api_client):
    user = UserFactory()
    first = obtain_tokens(api_client, user.email)

    rotated = api_client.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != first["refresh"]

    # The rotated one refreshes again; the used one is a replay (tests/platform_core/test_sessions.py).
    again = api_client.post("/api/v1/auth/token/refresh/", {"refresh": rotated.json()["refresh"]}, format="json")
    assert again.status_code == 200
    reused = api_client.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]}, format="json")
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "refresh_token_reused"


def test_logout_blacklists_the_refresh_token(api_client):
    user = UserFactory()
    tokens = obtain_tokens(api_client, user.email)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    assert api_client.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json").status_code == 204
    refused = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refused.status_code == 401


def test_logout_refuses_someone_elses_refresh_token(api_client):
    mine, theirs = UserFactory(), UserFactory()
    their_tokens = obtain_tokens(api_client, theirs.email)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(api_client, mine.email)['access']}")
    response = api_client.post("/api/v1/auth/logout/", {"refresh": their_tokens["refresh"]}, format="json")
    assert response.status_code == 400
    # Their token was not blacklisted.
    assert api_client.post("/api/v1/auth/token/refresh/", {"refresh": their_tokens["refresh"]}).status_code == 200


def test_me_requires_authentication(api_client):
    response = api_client.get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "details": {},
        }
    }
