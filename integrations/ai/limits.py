"""Shared tokens-per-minute and requests-per-minute limits per provider/model, in Redis.

Every process reserves tokens in one sliding window (a sorted set, one member per request, scored
by Redis' own clock) before calling, so together they never send the provider more than the limit.
A reservation is input tokens (estimated) + max_tokens, the way OpenAI charges at arrival; after the
answer it is corrected to the usage the provider reports.

Token estimate: tiktoken cannot download its encoding files here, so input tokens are estimated from
characters with a tokens-per-character ratio that starts pessimistic (1 token per 3 characters) and
is raised to the highest ratio the provider's reported usage has shown (+10%), per model.
"""

from __future__ import annotations

import math
import random
import time
import uuid
from dataclasses import dataclass

from django.conf import settings

from integrations.ai.redis_store import KEY_PREFIX, ai_redis
from integrations.ai.types import AIRequest, AIUnavailable, ProviderError

DEFAULT_TOKENS_PER_CHAR = 1 / 3
CALIBRATION_MARGIN = 1.10
CALIBRATION_TTL = 24 * 3600
FIXED_OVERHEAD = 8  # per-request framing tokens (role markers, reply primer)
# The provider stamps a request when it arrives, after our reservation: the reservation is re-stamped
# when the call ends (reconcile) and the window is kept a little longer than the provider's, so ours
# never forgets a request before the provider does, however slow the way there was.
WINDOW_PAD_SECONDS = 0.5

ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window = tonumber(ARGV[1])
local token_limit = tonumber(ARGV[2])
local request_limit = tonumber(ARGV[3])
local tokens = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local members = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local used = 0
for i = 1, #members, 2 do
  used = used + tonumber(string.match(members[i], ':(%d+)$'))
end
local count = #members / 2
if used + tokens <= token_limit and count + 1 <= request_limit then
  redis.call('ZADD', KEYS[1], now, ARGV[5] .. ':' .. ARGV[4])
  redis.call('EXPIRE', KEYS[1], math.ceil(window) + 5)
  return {1, '0'}
end
local wait = window
local freed = 0
local need_tokens = used + tokens - token_limit
local need_requests = count + 1 - request_limit
for i = 1, #members, 2 do
  freed = freed + tonumber(string.match(members[i], ':(%d+)$'))
  if freed >= need_tokens and (i + 1) / 2 >= need_requests then
    wait = tonumber(members[i + 1]) + window - now
    break
  end
end
return {0, tostring(wait)}
"""

RECONCILE = """
local old = ARGV[1] .. ':' .. ARGV[2]
if redis.call('ZSCORE', KEYS[1], old) then
  local t = redis.call('TIME')
  redis.call('ZREM', KEYS[1], old)
  redis.call('ZADD', KEYS[1], tonumber(t[1]) + tonumber(t[2]) / 1000000, ARGV[1] .. ':' .. ARGV[3])
end
return 1
"""


@dataclass(frozen=True)
class Reservation:
    key: str
    member: str
    tokens: int


def _window_key(provider: str, model: str) -> str:
    return f"{KEY_PREFIX}window:{provider}:{model}"


def _ratio_key(provider: str, model: str) -> str:
    return f"{KEY_PREFIX}tokens-per-char:{provider}:{model}"


def request_chars(request: AIRequest) -> int:
    return len(request.system) + sum(len(m["content"]) for m in request.messages)


def tokens_per_char(provider: str, model: str) -> float:
    learned = ai_redis().get(_ratio_key(provider, model))
    return max(DEFAULT_TOKENS_PER_CHAR, float(learned)) if learned else DEFAULT_TOKENS_PER_CHAR


def input_tokens_estimate(request: AIRequest, *, provider: str, model: str) -> int:
    chars = request_chars(request)
    return math.ceil(chars * tokens_per_char(provider, model)) + FIXED_OVERHEAD + 4 * (len(request.messages) + 1)


def tokens_per_char_learn(request: AIRequest, *, provider: str, model: str, reported_input_tokens: int) -> None:
    """Raise the model's ratio when the provider counted more tokens than we thought (never lower)."""
    chars = max(1, request_chars(request))
    observed = reported_input_tokens / chars * CALIBRATION_MARGIN
    if observed > tokens_per_char(provider, model):
        ai_redis().set(_ratio_key(provider, model), observed, ex=CALIBRATION_TTL)


def reserve(*, provider: str, model: str, tokens: int, max_wait: float | None = None) -> Reservation:
    """Wait until the window has room for `tokens` and one more request, then take it.

    Raises AIUnavailable (retryable: the job is rescheduled) when that would take longer than max_wait,
    and ProviderError when the request could never fit in the window.
    """
    token_limit, request_limit = settings.AI_TOKENS_PER_MINUTE, settings.AI_REQUESTS_PER_MINUTE
    if tokens > token_limit:  # it would never fit: not worth waiting for, the next model may take it
        message = f"The request needs {tokens} tokens, more than the {token_limit} tokens-per-minute limit."
        raise ProviderError(ProviderError.FATAL, "request_too_large", message)
    max_wait = settings.AI_LIMIT_MAX_WAIT_SECONDS if max_wait is None else max_wait
    key, member = _window_key(provider, model), uuid.uuid4().hex
    window = settings.AI_RATE_WINDOW_SECONDS + WINDOW_PAD_SECONDS
    deadline = time.monotonic() + max_wait
    client = ai_redis()
    while True:
        granted, wait = client.eval(ACQUIRE, 1, key, window, token_limit, request_limit, tokens, member)
        if int(granted):
            return Reservation(key=key, member=member, tokens=tokens)
        wait = max(0.02, float(wait))
        if time.monotonic() + wait > deadline:
            raise AIUnavailable(
                f"{provider}:{model} is at its shared rate limit; retrying later.",
                details={"provider": provider, "model": model, "waitSeconds": round(wait, 1)},
            )
        # A little jitter so waiting processes do not all wake at the same instant.
        time.sleep(min(wait, 1.0) + random.uniform(0, 0.05))  # noqa: S311


def reconcile(reservation: Reservation, *, tokens: int) -> None:
    """Replace the reservation's estimate with the tokens the provider reported, stamped now."""
    ai_redis().eval(RECONCILE, 1, reservation.key, reservation.member, reservation.tokens, max(0, tokens))


def window_usage(provider: str, model: str) -> tuple[int, int]:
    """(tokens, requests) in the current window: for the admin and the bench."""
    client = ai_redis()
    now = float(client.time()[0])
    members: list[bytes] = client.zrangebyscore(  # type: ignore[assignment]
        _window_key(provider, model), now - settings.AI_RATE_WINDOW_SECONDS, "+inf"
    )
    return sum(int(m.rsplit(b":", 1)[1]) for m in members), len(members)
