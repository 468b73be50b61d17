"""The Redis holding the gateway's shared counters (limits, breakers, quotas): not evictable."""

from __future__ import annotations

import functools

import redis
from django.conf import settings

KEY_PREFIX = "ai:"


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30)


def ai_redis() -> redis.Redis:
    return _client(settings.AI_REDIS_URL)
