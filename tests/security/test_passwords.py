"""Issue 12: argon2id at OWASP's parameters (platform_core.hashers); older hashes upgrade at sign-in."""

import argon2
import pytest
from rest_framework.test import APIClient

from platform_core.models import User
from tests.platform_core.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_a_hash_with_argon2_cffis_defaults_signs_in_and_is_upgraded():
    user = UserFactory()
    legacy = "argon2" + argon2.PasswordHasher().hash(PASSWORD)  # argon2-cffi's own defaults
    assert "m=65536,t=3,p=4" in legacy
    User.objects.filter(pk=user.pk).update(password=legacy)

    response = APIClient().post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")

    assert response.status_code == 200, response.content
    stored = User.objects.get(pk=user.pk).password
    assert stored.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    again = APIClient().post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")
    assert again.status_code == 200
    assert User.objects.get(pk=user.pk).password == stored  # already current: not rehashed again


def test_new_passwords_use_the_owasp_parameters():
    assert UserFactory().password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
