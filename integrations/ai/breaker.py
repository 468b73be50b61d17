"""A circuit breaker per provider, shared by every process through Redis.

closed: calls go through; AI_BREAKER_FAILURES outage failures in a row open it.
open: calls skip the provider (the fallback chain moves on) for AI_BREAKER_COOLDOWN_SECONDS.
half-open: after the cool-down one call (the probe) goes through; success closes, failure re-opens.
"""

from __future__ import annotations

from django.conf import settings

from integrations.ai.redis_store import KEY_PREFIX, ai_redis

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"

RECORD_FAILURE = """
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local t = redis.call('TIME')
if failures >= tonumber(ARGV[1]) or redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HSET', KEYS[1], 'opened_at', t[1] .. '.' .. string.format('%06d', tonumber(t[2])))
  redis.call('DEL', KEYS[2])
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return failures
"""


def _keys(provider: str) -> tuple[str, str]:
    return f"{KEY_PREFIX}breaker:{provider}", f"{KEY_PREFIX}breaker:{provider}:probe"


def _now() -> float:
    seconds, micros = ai_redis().time()
    return seconds + micros / 1_000_000


def breaker_state(provider: str) -> str:
    key, _ = _keys(provider)
    opened_at = ai_redis().hget(key, "opened_at")
    if opened_at is None:
        return CLOSED
    if _now() - float(opened_at) < settings.AI_BREAKER_COOLDOWN_SECONDS:
        return OPEN
    return HALF_OPEN


def breaker_allows(provider: str) -> bool:
    """May a call go to the provider now? In half-open, only the one caller that takes the probe."""
    state = breaker_state(provider)
    if state == CLOSED:
        return True
    if state == OPEN:
        return False
    _, probe = _keys(provider)
    return bool(ai_redis().set(probe, 1, nx=True, ex=int(settings.AI_REQUEST_TIMEOUT_SECONDS) + 5))


def breaker_record_success(provider: str) -> None:
    ai_redis().delete(*_keys(provider))


def breaker_record_failure(provider: str) -> None:
    key, probe = _keys(provider)
    # Failures older than a few cool-downs are forgotten: "in a row" means recently, too.
    forget_after = int(max(600, settings.AI_BREAKER_COOLDOWN_SECONDS * 4))
    ai_redis().eval(RECORD_FAILURE, 2, key, probe, settings.AI_BREAKER_FAILURES, forget_after)
