"""Tier quotas for AI operations (domain.md section 12), counted in Redis per customer (or per IP
for anonymous callers): anonymous 3/day, free 5/day, trial 15/day, paid 100/hour by default.

The window starts at the first operation and the count is only taken when the operation is accepted.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from integrations.ai.redis_store import KEY_PREFIX, ai_redis
from platform_core.exceptions import ApplicationError
from platform_core.models import Customer

CONSUME = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
if used >= tonumber(ARGV[1]) then
  return {0, used, ttl}
end
used = redis.call('INCR', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {1, used, ttl}
"""


def ai_quota_consume(*, customer: Customer | None, client_ip: str = "") -> dict[str, object]:
    """Count one AI operation against the caller's tier, or raise 429 ai_quota_exceeded."""
    tier = customer.tier if customer is not None else "anonymous"
    limit, window = settings.AI_TIER_QUOTAS[tier]
    who = f"customer:{customer.pk}" if customer is not None else f"ip:{client_ip or 'unknown'}"
    key = f"{KEY_PREFIX}quota:{tier}:{who}"
    allowed, used, ttl_ms = ai_redis().eval(CONSUME, 1, key, int(limit), int(window * 1000))
    reset_at = timezone.now() + timedelta(milliseconds=max(0, int(ttl_ms)))
    state: dict[str, object] = {"tier": tier, "limit": int(limit), "used": int(used), "resetAt": reset_at.isoformat()}
    if not int(allowed):
        raise ApplicationError(
            f"The {tier} plan allows {limit} AI operations per {window // 3600} hour(s); try again later.",
            code="ai_quota_exceeded",
            status_code=429,
            details={**state, "upgrade": {"url": "/pricing"}},
        )
    return state
