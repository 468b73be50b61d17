"""API gateway hygiene: API versions, body size, rate-limit headers, deprecated routes."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.utils import format_datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from platform_core.api.errors import error_body
from platform_core.throttling import USAGE_ATTR

_VERSIONED = re.compile(r"^/api/(v\d+)(/|$)")


class GatewayMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        version = _VERSIONED.match(request.path_info)
        if version and version.group(1) not in settings.SUPPORTED_API_VERSIONS:
            return JsonResponse(
                error_body(
                    "unsupported_api_version",
                    f"API version {version.group(1)} does not exist.",
                    {"supported": settings.SUPPORTED_API_VERSIONS},
                ),
                status=404,
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return JsonResponse(
                error_body("request_too_large", f"The request body is over {limit} bytes.", {"maxBytes": limit}),
                status=413,
            )
        response = self.get_response(request)
        usages = getattr(request, USAGE_ATTR, None)
        if usages:
            exceeded = [usage for usage in usages if usage.exceeded]
            # The limit that refused the call (the one freeing up last), else the one closest to refusing.
            shown = max(exceeded, key=lambda u: u.reset_at) if exceeded else min(usages, key=lambda u: u.remaining)
            response["X-RateLimit-Limit"] = str(shown.limit.limit)
            response["X-RateLimit-Remaining"] = str(shown.remaining)
            response["X-RateLimit-Reset"] = str(shown.reset_at)  # epoch seconds
            if exceeded:
                response["Retry-After"] = str(max(1, shown.reset_at - int(time.time())))
        if response.status_code == 429 and not response.has_header("Retry-After"):
            # Other 429s (a locked account) put the wait in the error body: mirror it in the header.
            details = ((getattr(response, "data", None) or {}).get("error") or {}).get("details") or {}
            if isinstance(details.get("retryAfter"), int):
                response["Retry-After"] = str(details["retryAfter"])
        return response


def deprecated(*, sunset: date, successor: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a route deprecated: `path("old/", deprecated(sunset=date(2027, 6, 30))(View.as_view()))`.

    Adds `Deprecation: true`, `Sunset: <HTTP date>` (RFC 8594) and a successor `Link` when given.
    """
    sunset_http = format_datetime(datetime(sunset.year, sunset.month, sunset.day, tzinfo=UTC), usegmt=True)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response["Deprecation"] = "true"
            response["Sunset"] = sunset_http
            if successor:
                response["Link"] = f'<{successor}>; rel="successor-version"'
            return response

        return wrapper

    return decorate
