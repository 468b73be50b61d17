"""The AI gateway against fake OpenAI and Anthropic servers, through the real SDKs."""

import json
import threading
import time
from decimal import Decimal

import pytest
from django.db import connections

from integrations.ai import breaker, limits
from integrations.ai.gateway import ai_complete
from integrations.ai.models import AIUsage, AIUsageDaily
from integrations.ai.services import ai_budget_set, ai_usage_record, ai_usage_rollup
from integrations.ai.types import AIRequest, AIRequestFailed, AIUnavailable
from integrations.email.services import email_render
from platform_core.exceptions import ApplicationError
from tests.platform_core.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_request(text: str = "Describe the ideal customer for a CRM.", **kwargs) -> AIRequest:
    defaults = {"operation": "icp", "system": "You answer in JSON.", "max_tokens": 200}
    return AIRequest(messages=[{"role": "user", "content": text}], **{**defaults, **kwargs})


def test_openai_answers_through_the_sdk_and_the_ledger_records_usage(ai_providers):
    fake_openai, fake_anthropic = ai_providers
    fake_openai.reply = '{"title": "ICP"}'

    response = ai_complete(make_request())

    assert (response.provider, response.model, response.text) == ("openai", "gpt-4o-mini", '{"title": "ICP"}')
    assert fake_openai.calls == 1 and fake_anthropic.calls == 0
    sent = fake_openai.requests[0]
    assert sent["messages"][0] == {"role": "system", "content": "You answer in JSON."}
    assert sent["max_tokens"] == 200
    row = AIUsage.objects.get()
    assert (row.provider, row.success, row.cached) == ("openai", True, False)
    assert (row.input_tokens, row.output_tokens) == (response.input_tokens, response.output_tokens) != (0, 0)


def test_openai_500_falls_back_to_claude(ai_providers):
    fake_openai, fake_anthropic = ai_providers
    fake_openai.fail_always("500")
    fake_anthropic.reply = '{"title": "from claude"}'

    response = ai_complete(make_request())

    assert response.provider == "anthropic"
    assert json.loads(response.text) == {"title": "from claude"}
    assert fake_openai.status_counts[500] == 2  # AI_ATTEMPTS_PER_MODEL: 5xx is retried on the same model
    assert fake_anthropic.calls == 1
    rows = list(AIUsage.objects.order_by("id").values_list("provider", "success", "error_code"))
    assert rows == [("openai", False, "provider_error"), ("openai", False, "provider_error"), ("anthropic", True, "")]


@pytest.mark.parametrize(
    ("failure", "expected_status_count"),
    [("429", {429: 1, 200: 1}), ("500", {500: 1, 200: 1}), ("invalid_json", {200: 2})],
)
def test_transient_errors_are_retried_on_the_same_model(ai_providers, failure, expected_status_count):
    fake_openai, fake_anthropic = ai_providers
    fake_openai.fail_next(failure)

    response = ai_complete(make_request())

    assert response.provider == "openai"
    assert dict(fake_openai.status_counts) == expected_status_count
    assert fake_anthropic.calls == 0


def test_a_timeout_is_retried(ai_providers, settings):
    fake_openai, _ = ai_providers
    settings.AI_REQUEST_TIMEOUT_SECONDS = 0.5
    fake_openai.slow_seconds = 2
    fake_openai.fail_next("slow")

    response = ai_complete(make_request())

    assert response.provider == "openai"
    assert len(fake_openai.requests) == 2
    assert AIUsage.objects.filter(success=False, error_code="timeout").count() == 1


@pytest.mark.parametrize("failure", ["400", "401", "context"])
def test_request_errors_are_never_retried_on_the_same_model(ai_providers, failure):
    fake_openai, _ = ai_providers
    fake_openai.fail_always(failure)

    response = ai_complete(make_request())

    assert response.provider == "anthropic"
    assert len(fake_openai.requests) == 1
    expected = {"400": "provider_rejected", "401": "provider_auth_failed", "context": "context_too_long"}[failure]
    assert AIUsage.objects.get(success=False).error_code == expected


def test_every_model_refusing_fails_and_every_model_down_is_retryable(ai_providers):
    fake_openai, fake_anthropic = ai_providers
    fake_openai.fail_always("400")
    fake_anthropic.fail_always("401")
    with pytest.raises(AIRequestFailed) as refused:
        ai_complete(make_request())
    assert refused.value.code == "ai_request_failed"

    fake_openai.fail_always("500")
    fake_anthropic.fail_always("529")
    with pytest.raises(AIUnavailable) as down:
        ai_complete(make_request())
    assert down.value.code == "ai_unavailable"
    assert [a["code"] for a in down.value.details["attempts"]] == ["provider_error", "provider_error"]


def test_repeated_failures_open_the_breaker_and_a_probe_after_the_cooldown_closes_it(ai_providers, settings):
    fake_openai, _ = ai_providers
    settings.AI_BREAKER_FAILURES = 3
    settings.AI_BREAKER_COOLDOWN_SECONDS = 1
    settings.AI_ATTEMPTS_PER_MODEL = 1
    fake_openai.fail_always("500")

    for n in range(3):
        assert ai_complete(make_request(f"question {n}")).provider == "anthropic"
    assert breaker.breaker_state("openai") == breaker.OPEN
    assert len(fake_openai.requests) == 3

    # Open: OpenAI is not even tried.
    assert ai_complete(make_request("question 3")).provider == "anthropic"
    assert len(fake_openai.requests) == 3

    time.sleep(1.1)  # the cool-down
    assert breaker.breaker_state("openai") == breaker.HALF_OPEN
    # A failing probe opens it again for another cool-down.
    assert ai_complete(make_request("question 4")).provider == "anthropic"
    assert len(fake_openai.requests) == 4
    assert breaker.breaker_state("openai") == breaker.OPEN

    time.sleep(1.1)
    fake_openai.fail_always(None)
    assert ai_complete(make_request("question 5")).provider == "openai"
    assert breaker.breaker_state("openai") == breaker.CLOSED
    assert ai_complete(make_request("question 6")).provider == "openai"


def test_half_open_lets_exactly_one_probe_through(ai_providers, settings):
    settings.AI_BREAKER_COOLDOWN_SECONDS = 0
    for _ in range(settings.AI_BREAKER_FAILURES):
        breaker.breaker_record_failure("openai")
    assert breaker.breaker_state("openai") == breaker.HALF_OPEN
    assert [breaker.breaker_allows("openai") for _ in range(3)] == [True, False, False]


def test_a_repeated_request_is_served_from_the_cache(ai_providers):
    fake_openai, _ = ai_providers
    first = ai_complete(make_request("Same question"))
    second = ai_complete(make_request("  Same   question "))  # whitespace is normalized

    assert fake_openai.calls == 1
    assert second.text == first.text and second.cached and not first.cached
    rows = list(AIUsage.objects.order_by("id").values_list("cached", "cost_usd", "input_tokens"))
    assert rows[1] == (True, Decimal("0"), 0)
    assert rows[0][1] > 0

    ai_complete(make_request("Same question", use_cache=False))
    assert fake_openai.calls == 2


def test_costs_in_the_ledger_are_exact(ai_providers, settings):
    settings.AI_PRICES = {"gpt-4o-mini": [1000, 3000]}  # $ per 1M tokens: 0.001 / 0.003 per token
    response = ai_complete(make_request())

    row = AIUsage.objects.get()
    expected = Decimal(response.input_tokens) * Decimal("0.001") + Decimal(response.output_tokens) * Decimal("0.003")
    assert row.cost_usd == response.cost_usd == expected


def test_an_exhausted_platform_budget_refuses_ai_work(ai_providers, settings):
    fake_openai, _ = ai_providers
    settings.AI_MONTHLY_BUDGET_USD = 1.0
    ai_usage_record(
        operation="icp",
        provider="openai",
        model="gpt-4o-mini",
        customer_id=None,
        user_id=None,
        cost_usd=Decimal("1.000000"),
    )

    with pytest.raises(ApplicationError) as refused:
        ai_complete(make_request())

    assert refused.value.code == "ai_budget_exhausted"
    assert refused.value.details["scope"] == "platform"
    assert fake_openai.calls == 0


def test_a_customer_budget_refuses_only_that_customer(ai_providers):
    rich, capped = CustomerFactory(), CustomerFactory()
    ai_budget_set(customer=capped, monthly_limit_usd=Decimal("0.50"))
    ai_usage_record(
        operation="icp",
        provider="openai",
        model="gpt-4o-mini",
        customer_id=capped.pk,
        user_id=None,
        cost_usd=Decimal("0.50"),
    )

    with pytest.raises(ApplicationError) as refused:
        ai_complete(make_request(customer_id=capped.pk))
    assert (refused.value.code, refused.value.details["scope"]) == ("ai_budget_exhausted", "customer")
    assert ai_complete(make_request(customer_id=rich.pk)).provider == "openai"


def test_crossing_80_percent_alerts_staff_once(settings, django_capture_on_commit_callbacks, caplog):
    settings.AI_MONTHLY_BUDGET_USD = 10.0
    UserFactory(is_staff=True, email="ops@example.com", customer=None)

    def spend(amount: str) -> int:
        with django_capture_on_commit_callbacks() as sent:
            ai_usage_record(
                operation="icp", provider="openai", model="gpt-4o-mini", customer_id=None, user_id=None,
                cost_usd=Decimal(amount),
            )  # fmt: skip
        return len(sent)

    assert spend("7.99") == 0
    assert spend("0.01") == 1  # the e-mail task, sent on commit
    assert spend("1.00") == 0
    alerts = [r.getMessage() for r in caplog.records if "AI budget alert" in r.getMessage()]
    assert alerts == ["AI budget alert: platform spent $8.00 of $10.00 this month (80%)"]
    subject, text, _ = email_render(
        template="ai_budget_alert",
        context={"spent_usd": "8.00", "budget_usd": "10.00", "percent_used": 80, "customer_name": ""},
    )
    assert "80%" in subject and "$8.00 of the $10.00" in text


def test_without_keys_the_offline_provider_answers(settings):
    settings.OPENAI_API_KEY = settings.ANTHROPIC_API_KEY = ""
    context = {"product_info": {"name": "Acme CRM", "description": "A CRM for startups"}, "industry": "SaaS"}

    first = ai_complete(make_request(context=context))
    second = ai_complete(make_request(context=context))

    icp = json.loads(first.text)
    assert first.provider == "offline" and icp["source"] == "offline"
    assert icp["title"] == "Ideal customer profile for Acme CRM"
    assert 3 <= len(icp["segments"]) <= 5 and 4 <= len(icp["ratingCriteria"]) <= 5
    assert first.text == second.text  # deterministic
    assert AIUsage.objects.filter(provider="offline", cost_usd=0).count() == 2


def test_with_a_key_the_offline_provider_is_never_used(ai_providers, settings):
    fake_openai, _ = ai_providers
    settings.AI_MODEL_CHAINS = {"default": ["openai:gpt-4o-mini"]}
    fake_openai.fail_always("500")
    with pytest.raises(AIUnavailable):
        ai_complete(make_request())
    assert not AIUsage.objects.filter(provider="offline").exists()


def test_the_limiter_reconciles_reservations_with_reported_usage(ai_providers):
    response = ai_complete(make_request(max_tokens=500))
    tokens, requests = limits.window_usage("openai", "gpt-4o-mini")
    assert requests == 1
    assert tokens == response.input_tokens + response.output_tokens  # the 500-token reservation was corrected


def test_a_request_larger_than_the_limit_is_refused_without_calling(ai_providers, settings):
    fake_openai, fake_anthropic = ai_providers
    settings.AI_TOKENS_PER_MINUTE = 500
    with pytest.raises(AIRequestFailed) as refused:
        ai_complete(make_request(max_tokens=1000))
    assert {a["code"] for a in refused.value.details["attempts"]} == {"request_too_large"}
    assert fake_openai.requests == [] and fake_anthropic.requests == []


def test_a_call_that_cannot_get_room_in_time_is_retryable(ai_providers, settings):
    fake_openai, _ = ai_providers
    settings.AI_MODEL_CHAINS = {"default": ["openai:gpt-4o-mini"]}
    settings.AI_TOKENS_PER_MINUTE = 1_000
    settings.AI_LIMIT_MAX_WAIT_SECONDS = 0.2
    fake_openai.reply = "word " * 500  # the first call really uses 500+ of the 1,000 tokens
    ai_complete(make_request("first", max_tokens=600))
    with pytest.raises(AIUnavailable) as waiting:
        ai_complete(make_request("second", max_tokens=600))
    assert waiting.value.details["provider"] == "openai"
    assert fake_openai.calls == 1


@pytest.mark.django_db(transaction=True)  # the callers' threads write the ledger on their own connections
def test_concurrent_callers_never_exceed_the_providers_token_limit(ai_providers, settings):
    fake_openai, _ = ai_providers
    settings.AI_MODEL_CHAINS = {"default": ["openai:gpt-4o-mini"]}
    settings.AI_TOKENS_PER_MINUTE = fake_openai.tpm_limit = 1_000
    settings.AI_RATE_WINDOW_SECONDS = fake_openai.window_seconds = 1.5
    fake_openai.reply = "word " * 60
    results: list[str] = []

    def caller(n: int) -> None:
        try:
            for i in range(4):
                text = f"Caller {n} question {i}: " + "lorem ipsum dolor sit amet, " * 20
                results.append(ai_complete(make_request(text, max_tokens=100, use_cache=False)).provider)
        finally:
            connections.close_all()  # this thread's connection, or the test database cannot be dropped

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == ["openai"] * 20
    assert fake_openai.over_limit == 0
    assert fake_openai.calls == 20
    assert fake_openai.peak_window_tokens <= 1_000


def test_daily_rollup_sums_the_ledger_per_customer_and_model():
    customer = CustomerFactory()
    for cost, success in [("0.10", True), ("0.20", True), ("0", False)]:
        ai_usage_record(
            operation="icp",
            provider="openai",
            model="gpt-4o-mini",
            customer_id=customer.pk,
            user_id=None,
            input_tokens=100,
            output_tokens=10,
            cost_usd=Decimal(cost),
            success=success,
        )
    ai_usage_record(
        operation="icp", provider="openai", model="gpt-4o-mini", customer_id=customer.pk, user_id=None, cached=True
    )
    today = AIUsage.objects.latest("created_at").created_at.date()

    assert ai_usage_rollup(day=today) == 1
    assert ai_usage_rollup(day=today) == 1  # idempotent
    row = AIUsageDaily.objects.get()
    assert (row.calls, row.failures, row.cached_calls) == (4, 1, 1)
    assert (row.input_tokens, row.output_tokens, row.cost_usd) == (300, 30, Decimal("0.30"))
