"""Rate limits that know who is calling: per user, per API key, per IP when anonymous, per endpoint class.

Counting happens in Redis (shared by every process), in the same round trip as the session check
when the caller has a session (platform_core.authentication); this throttle then only decides.
"""

from __future__ import annotations

import re
import time
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from platform_core.exceptions import ApplicationError
from platform_core.gate import Limit, Usage, counters_check
from platform_core.models import ApiKey

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
USAGE_ATTR = "rate_limit_usage"  # on the Django request: what GatewayMiddleware turns into headers


@cache
def parse_rate(rate: str) -> tuple[int, int]:
    """'10/h' → (10, 3600); '100/15m' → (100, 900)."""
    match = _RATE.match(rate)
    if not match:
        raise ValueError(f"bad rate {rate!r}: use <count>/<n><s|m|h|d>")
    count, n, unit = match.groups()
    return int(count), int(n or 1) * _UNIT_SECONDS[unit]


def named_limit(name: str, who: str) -> Limit | None:
    rate = settings.RATE_LIMITS.get(name)
    if not rate:
        return None
    count, window = parse_rate(rate)
    return Limit(name=name, who=who, limit=count, window=window)


def client_ip(request: HttpRequest | Request) -> str:
    return BaseThrottle().get_ident(request) or "unknown"  # type: ignore[arg-type]  # reads META/headers only


def endpoint_scope(request: HttpRequest | Request, view: Any) -> str | None:
    scope = getattr(view, "throttle_scope", None)
    if scope:
        return str(scope)
    match = getattr(request, "resolver_match", None)
    return settings.RATE_LIMIT_ROUTES.get(match.url_name) if match and match.url_name else None


def limits_for(*, principal: str, who: str, request: HttpRequest | Request, view: Any) -> list[Limit]:
    """The caller's overall limit (principal: user | api_key | anon) and its endpoint class's limit."""
    limits = [named_limit(principal, who)]
    scope = endpoint_scope(request, view)
    if scope:
        limits.append(named_limit(scope, who))
    return [limit for limit in limits if limit is not None]


def principal_for(request: Request) -> tuple[str, str]:
    if isinstance(request.auth, ApiKey):
        return "api_key", f"k{request.auth.prefix}"
    user = request.user
    if user is not None and user.is_authenticated:
        return "user", f"u{user.pk}"
    return "anon", f"ip{client_ip(request)}"


def usage_record(request: HttpRequest, usages: list[Usage]) -> None:
    setattr(request, USAGE_ATTR, usages)


def usages_enforce(usages: list[Usage], *, now: float | None = None) -> None:
    """429 naming the exceeded limit (the one that frees up last)."""
    exceeded = [usage for usage in usages if usage.exceeded]
    if not exceeded:
        return
    worst = max(exceeded, key=lambda usage: usage.reset_at)
    retry_after = max(1, worst.reset_at - int(now if now is not None else time.time()))
    raise ApplicationError(
        f"Rate limit '{worst.limit.name}' exceeded: {worst.limit.limit} requests per "
        f"{worst.limit.window} seconds. Retry in {retry_after} seconds.",
        code="rate_limited",
        status_code=429,
        details={
            "limit": worst.limit.name,
            "max": worst.limit.limit,
            "windowSeconds": worst.limit.window,
            "retryAfter": retry_after,
        },
    )


class PlatformRateLimit(BaseThrottle):
    """Runs after authentication and permissions, so limits are per user or key, not per IP."""

    def allow_request(self, request: Request, view: Any) -> bool:
        django_request = request._request
        usages = getattr(django_request, USAGE_ATTR, None)
        if usages is None:  # no session check ran (API key, anonymous, force_authenticate in tests)
            principal, who = principal_for(request)
            usages = counters_check(limits=limits_for(principal=principal, who=who, request=request, view=view))
            usage_record(django_request, usages)
        usages_enforce(usages)
        return True
