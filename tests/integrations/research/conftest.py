from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from integrations.research.fetch_rules import research_redis
from tests.integrations.research.sites import CompanySite, test_site
from tests.platform_core.factories import CustomerFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_research_counters():
    """Page slots and per-domain rates live in Redis, shared by the run: start empty."""
    client = research_redis()
    keys = list(client.scan_iter("research:*"))
    if keys:
        client.delete(*keys)
    yield


@pytest.fixture
def site() -> Iterator[CompanySite]:
    with test_site() as served:
        yield served


def customer_client(tier: str = "paid") -> APIClient:
    client = APIClient()
    client.force_authenticate(user=UserFactory(customer=CustomerFactory(tier=tier)))
    return client


@pytest.fixture
def client_a() -> APIClient:
    return customer_client()


@pytest.fixture
def client_b() -> APIClient:
    return customer_client()
