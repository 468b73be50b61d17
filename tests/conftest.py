import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.platform_core.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Redis is shared by the whole run: each test starts with an empty cache."""
    cache.clear()
    yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def auth_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client
