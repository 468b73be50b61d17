import pytest

from integrations.ai.redis_store import KEY_PREFIX, ai_redis
from tests.fakes.ai_servers import FakeAnthropic, FakeOpenAI


@pytest.fixture(autouse=True)
def _clear_ai_counters():
    """Limiter windows, breakers, quotas and alerts live in Redis, shared by the run: start empty."""
    client = ai_redis()
    keys = list(client.scan_iter(f"{KEY_PREFIX}*"))
    if keys:
        client.delete(*keys)
    yield


@pytest.fixture
def fake_openai():
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def fake_anthropic():
    with FakeAnthropic() as fake:
        yield fake


@pytest.fixture
def ai_providers(settings, fake_openai, fake_anthropic):
    """The gateway pointed at both fakes with keys configured, generous limits and fast retries."""
    settings.OPENAI_API_KEY = fake_openai.api_key
    settings.OPENAI_BASE_URL = f"{fake_openai.url}/v1"
    settings.ANTHROPIC_API_KEY = fake_anthropic.api_key
    settings.ANTHROPIC_BASE_URL = fake_anthropic.url
    settings.AI_MODEL_CHAINS = {"default": ["openai:gpt-4o-mini", "anthropic:claude-3-5-sonnet-20241022"]}
    settings.AI_REQUEST_TIMEOUT_SECONDS = 5.0
    settings.AI_RETRY_BASE_SECONDS = 0.01
    settings.AI_ATTEMPTS_PER_MODEL = 2
    settings.AI_TOKENS_PER_MINUTE = 1_000_000
    settings.AI_REQUESTS_PER_MINUTE = 10_000
    settings.AI_BREAKER_FAILURES = 5
    return fake_openai, fake_anthropic
