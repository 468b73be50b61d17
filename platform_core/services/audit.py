"""The audit log: security events with who, which customer, from where and when."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework.request import Request

from platform_core.models import AuditEvent, Customer, User
from platform_core.throttling import client_ip


def request_origin(request: HttpRequest | Request | None) -> tuple[str | None, str]:
    """The caller's IP (behind TRUSTED_PROXY_COUNT proxies) and user agent, trimmed to fit the columns."""
    if request is None:
        return None, ""
    ip = client_ip(request)
    return (ip if ip != "unknown" else None), request.META.get("HTTP_USER_AGENT", "")[:255]


def audit_record(
    *,
    kind: AuditEvent.Kind | str,
    actor: User | None = None,
    customer: Customer | None = None,
    request: HttpRequest | Request | None = None,
    actor_email: str = "",
    target: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event; the customer defaults to the actor's. Callers run inside their own transaction."""
    ip, user_agent = request_origin(request)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_email=actor_email or (actor.email if actor else ""),
        customer_id=customer.pk if customer else (actor.customer_id if actor else None),
        ip=ip,
        user_agent=user_agent,
        target=target[:200],
        details=details or {},
    )
