"""The one way the platform calls an AI model.

    ai_complete(AIRequest(operation="icp", system=..., messages=[...], context={...}, customer_id=...))

In order: the offline provider when no model in the operation's chain has a key (outside production;
AI_OFFLINE_ALLOWED), else ai_unavailable; the 24 h exact-match cache (per customer); the monthly
budgets; then each (provider, model) of the chain: skipped while its breaker is
open, shared TPM/RPM limits reserved in Redis, transient errors (timeout, 429, 5xx) retried with
backoff, other errors move on to the next model. Every call lands in the usage ledger.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache

from integrations.ai import breaker, limits
from integrations.ai.offline import OFFLINE_MODEL, offline_complete
from integrations.ai.providers import PROVIDERS, model_chain
from integrations.ai.services import ai_budget_check, ai_cost_usd, ai_usage_record
from integrations.ai.types import (
    AINotConfigured,
    AIRequest,
    AIRequestFailed,
    AIResponse,
    AIUnavailable,
    ProviderError,
)
from platform_core.observability.metrics import AI_PROVIDER_429

logger = logging.getLogger(__name__)
RETRY_CAP_SECONDS = 20.0


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def cache_key(request: AIRequest) -> str:
    """Exact match on the normalized request: same operation, prompt text and sampling settings."""
    normalized = {
        "operation": request.operation,
        "system": " ".join(request.system.split()),
        "messages": [[m["role"], " ".join(m["content"].split())] for m in request.messages],
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "json": request.json_output,
        "customer": request.customer_id,  # an answer is never served to another customer
    }
    digest = hashlib.sha256(json.dumps(normalized, sort_keys=True).encode()).hexdigest()
    return f"ai:response:{digest}"


def cache_forget(request: AIRequest) -> None:
    """Drop a cached answer the caller found unusable, so a retry asks the model again."""
    cache.delete(cache_key(request))


def configured_chain(operation: str) -> list[tuple[str, str]]:
    return [(p, m) for p, m in model_chain(operation) if p in PROVIDERS and PROVIDERS[p].configured()]


def ai_complete(request: AIRequest) -> AIResponse:
    chain = configured_chain(request.operation)
    if not chain:
        # Canned answers are for development and tests only (they say "source": "offline"); in
        # production a missing key is an outage to see, not results to show.
        if not settings.AI_OFFLINE_ALLOWED:
            raise AINotConfigured()
        return _offline(request)
    key = cache_key(request)
    if request.use_cache and (hit := cache.get(key)):
        return _from_cache(request, hit)
    ai_budget_check(customer_id=request.customer_id)

    failures: list[dict[str, str]] = []
    for provider_name, model in chain:
        if not breaker.breaker_allows(provider_name):
            failures.append({"model": f"{provider_name}:{model}", "code": "breaker_open"})
            continue
        try:
            response = _call_model(request, provider_name, model)
        except ProviderError as exc:
            failures.append({"model": f"{provider_name}:{model}", "code": exc.code, "kind": exc.kind})
            continue
        if request.use_cache:
            cache.set(key, {"text": response.text, "provider": response.provider, "model": response.model},
                      settings.AI_CACHE_TTL_SECONDS)  # fmt: skip
        return response

    if any(f.get("kind", ProviderError.TRANSIENT) == ProviderError.TRANSIENT for f in failures):
        raise AIUnavailable("No AI model could answer right now; retrying later.", details={"attempts": failures})
    raise AIRequestFailed("Every AI model refused the request.", details={"attempts": failures})


def _call_model(request: AIRequest, provider_name: str, model: str) -> AIResponse:
    """Call one model, retrying transient errors with backoff; raise the last ProviderError."""
    provider = PROVIDERS[provider_name]
    attempts = settings.AI_ATTEMPTS_PER_MODEL
    for attempt in range(1, attempts + 1):
        estimate = limits.input_tokens_estimate(request, provider=provider_name, model=model)
        reservation = limits.reserve(provider=provider_name, model=model, tokens=estimate + request.max_tokens)
        started = time.monotonic()
        try:
            text, input_tokens, output_tokens = provider.complete(model, request)
        except ProviderError as exc:
            limits.reconcile(reservation, tokens=reservation.tokens)  # the provider may have counted it
            ai_usage_record(
                operation=request.operation, provider=provider_name, model=model, customer_id=request.customer_id,
                user_id=request.user_id, duration_ms=_elapsed_ms(started), success=False, error_code=exc.code,
            )  # fmt: skip
            logger.warning("AI call %s:%s failed (attempt %d): %s", provider_name, model, attempt, exc.code)
            if exc.status == 429:
                AI_PROVIDER_429.labels(provider_name).inc()
            if exc.counts_against_breaker:
                breaker.breaker_record_failure(provider_name)
            retry = exc.kind == ProviderError.TRANSIENT and attempt < attempts
            if not retry or breaker.breaker_state(provider_name) != breaker.CLOSED:
                raise
            delay = min(RETRY_CAP_SECONDS, settings.AI_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
            time.sleep(random.uniform(delay / 2, delay))  # noqa: S311 - jitter
            continue
        duration_ms = _elapsed_ms(started)
        limits.reconcile(reservation, tokens=input_tokens + output_tokens)
        limits.tokens_per_char_learn(request, provider=provider_name, model=model, reported_input_tokens=input_tokens)
        breaker.breaker_record_success(provider_name)
        cost = ai_cost_usd(model=model, input_tokens=input_tokens, output_tokens=output_tokens)
        ai_usage_record(
            operation=request.operation, provider=provider_name, model=model, customer_id=request.customer_id,
            user_id=request.user_id, input_tokens=input_tokens, output_tokens=output_tokens, cost_usd=cost,
            duration_ms=duration_ms,
        )  # fmt: skip
        return AIResponse(
            text=text, provider=provider_name, model=model, input_tokens=input_tokens,
            output_tokens=output_tokens, cost_usd=cost, duration_ms=duration_ms,
        )  # fmt: skip
    raise AssertionError("unreachable")  # pragma: no cover


def _from_cache(request: AIRequest, hit: dict[str, str]) -> AIResponse:
    """A cache hit costs nothing and uses no tokens; the ledger says it was cached."""
    ai_usage_record(
        operation=request.operation, provider=hit["provider"], model=hit["model"], customer_id=request.customer_id,
        user_id=request.user_id, cached=True,
    )  # fmt: skip
    return AIResponse(
        text=hit["text"], provider=hit["provider"], model=hit["model"], input_tokens=0, output_tokens=0,
        cost_usd=Decimal(0), duration_ms=0, cached=True,
    )  # fmt: skip


def _offline(request: AIRequest) -> AIResponse:
    started = time.monotonic()
    text = offline_complete(request.operation, request.context)
    duration_ms = _elapsed_ms(started)
    ai_usage_record(
        operation=request.operation, provider="offline", model=OFFLINE_MODEL, customer_id=request.customer_id,
        user_id=request.user_id, duration_ms=duration_ms,
    )  # fmt: skip
    return AIResponse(
        text=text, provider="offline", model=OFFLINE_MODEL, input_tokens=0, output_tokens=0,
        cost_usd=Decimal(0), duration_ms=duration_ms,
    )  # fmt: skip
