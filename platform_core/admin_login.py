"""/admin/login/ protected like the API's token endpoint: django-ratelimit throttles each source and
each account+source pair, and failures lock the pair (not the account everywhere) like the API does
(platform_core.services.login). Staff lift a lock with the "Unlock sign-in" action on users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import is_ratelimited

from platform_core.exceptions import ApplicationError
from platform_core.services.login import login_failure_record, login_lock_check, login_source


def _refused(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    response = HttpResponse(
        f"<h1>Sign-in refused</h1><p>{error.message}</p>", status=429, content_type="text/html; charset=utf-8"
    )
    if retry_after := error.details.get("retryAfter"):
        response["Retry-After"] = str(retry_after)
    return response


def _throttled(request: HttpRequest, *, group: str, key: str, rate: str) -> bool:
    return is_ratelimited(request, group=group, key=lambda _group, _request: key, rate=rate, increment=True)


def protected_login(login: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method != "POST":
            return login(request, extra_context)
        email = str(request.POST.get("username", "")).strip().lower()
        source = login_source(request)
        if _throttled(request, group="admin-login-ip", key=source, rate=settings.ADMIN_LOGIN_IP_RATE) or (
            _throttled(request, group="admin-login-account", key=f"{email}|{source}", rate=settings.ADMIN_LOGIN_RATE)
        ):
            throttled = ApplicationError("Too many sign-in attempts; wait a few minutes.", code="rate_limited")
            return _refused(request, throttled)
        try:
            login_lock_check(email=email, source=source)
        except ApplicationError as locked:
            return _refused(request, locked)
        response = login(request, extra_context)
        if not request.user.is_authenticated:  # the form was shown again: a failed sign-in
            login_failure_record(email=email, request=request)
        return response

    return view


def admin_login_protect() -> None:
    """Called once from platform_core.admin: the default admin site's login goes through the limits."""
    site: Any = admin.site
    if not getattr(site.login, "protected", False):
        site.login = protected_login(site.login)
        site.login.protected = True
