"""Login protection: per-IP and per-account limits, and a lock after repeated failures."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from rest_framework.request import Request

from platform_core import gate
from platform_core.analytics import event_record
from platform_core.exceptions import ApplicationError
from platform_core.models import AuditEvent, User
from platform_core.services.audit import audit_record
from platform_core.services.sessions import TokenPair, session_create
from platform_core.throttling import client_ip, named_limit, usage_record, usages_enforce


def _failures_key(email: str, source: str) -> str:
    return f"sec:lf:{email}:{source}"


def _lock_key(email: str, source: str) -> str:
    return f"sec:lock:{email}:{source}"


def _locked_error(retry_after: int) -> ApplicationError:
    minutes = max(1, round(retry_after / 60))
    return ApplicationError(
        f"Too many failed sign-ins: this account is locked for {minutes} more minute(s).",
        code="account_locked",
        status_code=429,
        details={"retryAfter": retry_after},
    )


def login_source(request: HttpRequest | Request) -> str:
    """Where sign-ins come from: a lock holds for one account from one source, so nobody can lock an
    owner out from everywhere by failing on purpose."""
    return client_ip(request)


def login_lock_check(*, email: str, source: str) -> None:
    lock_ttl = gate.client().ttl(_lock_key(email, source))
    if lock_ttl > 0:
        raise _locked_error(lock_ttl)


def login(*, email: str, password: str, request: HttpRequest | Request) -> TokenPair:
    """Check the limits and the lock, then the password; a success opens a session."""
    email = email.strip().lower()
    source = login_source(request)
    django_request = request._request if isinstance(request, Request) else request
    limits = [named_limit("login_ip", f"ip{source}"), named_limit("login_account", email)]
    usages = gate.counters_check(limits=[limit for limit in limits if limit is not None])
    usage_record(django_request, usages)
    login_lock_check(email=email, source=source)
    usages_enforce(usages)

    user = authenticate(django_request, username=email, password=password)
    if not isinstance(user, User):
        login_failure_record(email=email, request=request)
        raise ApplicationError(
            "No active account found with the given credentials.", code="no_active_account", status_code=401
        )
    gate.client().delete(_failures_key(email, source))
    tokens = session_create(user=user, request=request)
    audit_record(
        kind=AuditEvent.Kind.LOGIN_SUCCEEDED, actor=user, request=request, target=f"session:{tokens.session.pk}"
    )
    event_record("user.signed_in", user=user)
    return tokens


def login_failure_record(*, email: str, request: HttpRequest | Request) -> None:
    """Count a failed sign-in (API or admin) of `email` from the request's source; lock that pair after
    LOGIN_MAX_FAILURES for LOGIN_LOCKOUT_SECONDS."""
    source = login_source(request)
    pipe = gate.client().pipeline(transaction=True)
    pipe.incr(_failures_key(email, source))
    pipe.expire(_failures_key(email, source), settings.LOGIN_LOCKOUT_SECONDS)
    failures = int(pipe.execute()[0])
    known = User.objects.filter(email=email).select_related("customer").first()
    customer = known.customer if known else None
    audit_record(
        kind=AuditEvent.Kind.LOGIN_FAILED,
        customer=customer,
        actor_email=email,
        request=request,
        details={"failures": failures},
    )
    if failures >= settings.LOGIN_MAX_FAILURES:
        gate.client().set(_lock_key(email, source), 1, ex=settings.LOGIN_LOCKOUT_SECONDS)
        gate.client().delete(_failures_key(email, source))
        audit_record(
            kind=AuditEvent.Kind.ACCOUNT_LOCKED,
            customer=customer,
            actor_email=email,
            request=request,
            details={"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60, "source": source},
        )


def login_unlock(*, email: str) -> int:
    """Staff unlock (admin): lift every lock and failure count of `email`, from every source."""
    client = gate.client()
    literal = re.sub(r"([*?\[\]\\])", r"\\\1", email.strip().lower())  # the address, not a glob pattern
    keys = [*client.scan_iter(match=_lock_key(literal, "*")), *client.scan_iter(match=_failures_key(literal, "*"))]
    return int(client.delete(*keys)) if keys else 0
