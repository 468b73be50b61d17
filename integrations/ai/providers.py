"""OpenAI and Anthropic through their own SDKs, with SDK retries off: the gateway is the only retry loop.

Each provider turns an AIRequest into (text, input tokens, output tokens) or raises a classified
ProviderError.
"""

from __future__ import annotations

import functools
from typing import Any, Protocol

import anthropic
import openai
from django.conf import settings

from integrations.ai.types import AIRequest, ProviderError

Completion = tuple[str, int, int]


class Provider(Protocol):
    name: str

    def configured(self) -> bool: ...

    def complete(self, model: str, request: AIRequest) -> Completion: ...


def _classify(exc: Exception, *, context_markers: tuple[str, ...]) -> ProviderError:
    """Timeouts, connection errors, 429 and 5xx are transient; a too-long prompt moves to the next
    model; any other 4xx is the request's fault and is never retried on the same model."""
    status = getattr(exc, "status_code", None)
    message = str(getattr(exc, "message", "") or exc)[:500]
    if isinstance(exc, openai.APITimeoutError | anthropic.APITimeoutError):
        return ProviderError(ProviderError.TRANSIENT, "timeout", "The provider did not answer in time.")
    if isinstance(exc, openai.APIConnectionError | anthropic.APIConnectionError):
        return ProviderError(ProviderError.TRANSIENT, "connection_error", "Could not reach the provider.")
    if status is not None:
        if status == 429:
            return ProviderError(ProviderError.TRANSIENT, "rate_limited", message, status=status)
        if status >= 500:
            return ProviderError(ProviderError.TRANSIENT, "provider_error", message, status=status)
        body = str(getattr(exc, "body", "") or "") + message
        if status == 400 and any(marker in body for marker in context_markers):
            return ProviderError(ProviderError.CONTEXT, "context_too_long", message, status=status)
        code = {401: "provider_auth_failed", 403: "provider_forbidden"}.get(status, "provider_rejected")
        return ProviderError(ProviderError.FATAL, code, message, status=status)
    # A 200 whose body is not the protocol (truncated, not JSON): the provider misbehaved, try again.
    return ProviderError(ProviderError.TRANSIENT, "invalid_response", f"Unreadable provider answer: {message}")


@functools.cache
def _openai_client(api_key: str, base_url: str, timeout: float) -> openai.OpenAI:
    return openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0)


@functools.cache
def _anthropic_client(api_key: str, base_url: str, timeout: float) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0)


class OpenAIProvider:
    name = "openai"
    CONTEXT_MARKERS = ("context_length_exceeded", "maximum context length")

    def configured(self) -> bool:
        return bool(settings.OPENAI_API_KEY)

    def complete(self, model: str, request: AIRequest) -> Completion:
        client = _openai_client(settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL, settings.AI_REQUEST_TIMEOUT_SECONDS)
        extra: dict[str, Any] = {"response_format": {"type": "json_object"}} if request.json_output else {}
        try:
            response = client.chat.completions.create(
                model=model,
                messages=[{"role": "system", "content": request.system}, *request.messages],  # type: ignore[list-item]
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                **extra,
            )
            text = response.choices[0].message.content or ""
            usage = response.usage
        except (openai.OpenAIError, ValueError) as exc:
            raise _classify(exc, context_markers=self.CONTEXT_MARKERS) from exc
        if usage is None:
            raise ProviderError(ProviderError.TRANSIENT, "invalid_response", "The answer carried no usage.")
        return text, usage.prompt_tokens, usage.completion_tokens


class AnthropicProvider:
    name = "anthropic"
    CONTEXT_MARKERS = ("prompt is too long", "context window")

    def configured(self) -> bool:
        return bool(settings.ANTHROPIC_API_KEY)

    def complete(self, model: str, request: AIRequest) -> Completion:
        client = _anthropic_client(
            settings.ANTHROPIC_API_KEY, settings.ANTHROPIC_BASE_URL, settings.AI_REQUEST_TIMEOUT_SECONDS
        )
        try:
            response = client.messages.create(
                model=model,
                system=request.system,
                messages=request.messages,  # type: ignore[arg-type]
                max_tokens=request.max_tokens,
                # This SDK version dropped the keyword; the Messages API still takes the field.
                extra_body={"temperature": request.temperature},
            )
            text = "".join(block.text for block in response.content if block.type == "text")
            usage = response.usage
        except (anthropic.AnthropicError, ValueError) as exc:
            raise _classify(exc, context_markers=self.CONTEXT_MARKERS) from exc
        return text, usage.input_tokens, usage.output_tokens


PROVIDERS: dict[str, Provider] = {p.name: p for p in (OpenAIProvider(), AnthropicProvider())}


def model_chain(operation: str) -> list[tuple[str, str]]:
    """The operation's ordered (provider, model) chain from settings."""
    chains = settings.AI_MODEL_CHAINS
    entries = chains.get(operation) or chains["default"]
    return [tuple(entry.split(":", 1)) for entry in entries]
