"""The cache backend of CACHES["default"]: django-redis's RedisCache, counting its reads as hits and misses.

A read asks Redis once, as before, with a sentinel default: a cached None is a hit, an absent key (or an
ignored connection error) a miss. The two counter children are bound once here, so a read costs one
increment and no label lookup.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django_redis.cache import RedisCache

from platform_core.observability.metrics import CACHE_REQUESTS

CACHE_HITS = CACHE_REQUESTS.labels("hit")
CACHE_MISSES = CACHE_REQUESTS.labels("miss")
_ABSENT = object()


class InstrumentedRedisCache(RedisCache):
    def get(self, key: Any, default: Any = None, version: int | None = None, client: Any = None) -> Any:
        value = super().get(key, _ABSENT, version, client)
        if value is _ABSENT:
            CACHE_MISSES.inc()
            return default
        CACHE_HITS.inc()
        return value

    def get_many(self, keys: Iterable[Any], *args: Any, **kwargs: Any) -> dict[Any, Any]:
        requested = list(dict.fromkeys(keys))  # a key asked twice is one read
        found: dict[Any, Any] = super().get_many(requested, *args, **kwargs)
        if found:
            CACHE_HITS.inc(len(found))
        if len(found) < len(requested):
            CACHE_MISSES.inc(len(requested) - len(found))
        return found
