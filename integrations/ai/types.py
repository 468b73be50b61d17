"""What goes into the gateway and what comes out, and the errors it raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from platform_core.exceptions import ApplicationError
from platform_core.taskbase import RetryableError


@dataclass(frozen=True)
class AIRequest:
    """One completion. `context` holds the structured inputs the offline provider builds from."""

    operation: str
    system: str
    messages: list[dict[str, str]]
    max_tokens: int = 2000
    temperature: float = 0.7
    json_output: bool = True
    context: dict[str, Any] = field(default_factory=dict)
    customer_id: int | None = None
    user_id: int | None = None
    use_cache: bool = True


@dataclass(frozen=True)
class AIResponse:
    text: str
    provider: str  # openai | anthropic | offline
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: Decimal
    duration_ms: int
    cached: bool = False

    @property
    def source(self) -> str:
        """What a result says it came from: the provider's name, or "offline"."""
        return self.provider


class ProviderError(Exception):
    """A failed provider call, classified: transient (retry), context (next model), fatal (next model)."""

    TRANSIENT, CONTEXT, FATAL = "transient", "context", "fatal"

    def __init__(self, kind: str, code: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.kind, self.code, self.message, self.status = kind, code, message, status

    @property
    def counts_against_breaker(self) -> bool:
        """Outages open the breaker; being rate limited (429) is load, not an outage."""
        return self.kind == self.TRANSIENT and self.status != 429


class AIUnavailable(RetryableError):
    """Every model failed transiently (outage, limits, open breakers): the job retries later."""

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, code="ai_unavailable", details=details)


class AINotConfigured(ApplicationError):
    """No model has a key where the offline provider is not allowed (production): nothing to retry."""

    def __init__(self) -> None:
        super().__init__(
            "AI is not available: no AI provider is configured.",
            code="ai_unavailable",
            status_code=503,
            details={"reason": "no_provider_configured"},
        )


class AIRequestFailed(ApplicationError):
    """Every model refused the request itself (bad request, auth, context too long)."""

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, code="ai_request_failed", status_code=502, details=details)
