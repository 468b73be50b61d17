"""Read-heavy responses cached in Redis (django-redis); the services that change them invalidate.

Invalidation deletes the key at once and again after the commit: the first makes the writer's own
next read fresh, the second drops a stale value another request cached while the write was open.
"""

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction

TTL_SECONDS = 300
TEMPLATES_TTL_SECONDS = 3600


def business_case_templates_key(case_type: str | None) -> str:
    return f"assessments:business-case-templates:{case_type or 'all'}"


def assessment_results_key(session_id: str) -> str:
    return f"assessments:results:{session_id}"


def progress_key(customer_id: int) -> str:
    return f"assessments:progress:{customer_id}"


def cached(key: str, build: Callable[[], Any], *, ttl: int = TTL_SECONDS) -> Any:
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, ttl)
    return value


def invalidate(key: str) -> None:
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
