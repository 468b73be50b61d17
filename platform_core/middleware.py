import re
import uuid
from collections.abc import Awaitable, Callable

from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin

from platform_core.shedding import PROBE_PATHS

# Accept a caller's id only when it is short and plain, so logs cannot be forged through it.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIDMiddleware:
    """Gives every request an id (echoing a valid incoming X-Request-ID) and returns it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


# Requests that never carry a cookie session: the API (JWT or API key) and the probes. They skip Django's
# session, auth and messages middleware, which only the admin's pages use; building the message storage
# and the lazy user on every call was ~8% of a /healthz and ~4% of GET /auth/me/ (issue 12).
TOKEN_ONLY_PREFIXES = ("/api/", *PROBE_PATHS)


class _BrowserOnly(MiddlewareMixin):
    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if request.path_info.startswith(TOKEN_ONLY_PREFIXES):
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(_BrowserOnly, sessions_middleware.SessionMiddleware):
    pass


class AuthenticationMiddleware(_BrowserOnly, auth_middleware.AuthenticationMiddleware):
    pass


class MessageMiddleware(_BrowserOnly, messages_middleware.MessageMiddleware):
    pass
