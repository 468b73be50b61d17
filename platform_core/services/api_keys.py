"""API keys for machine clients: created by a customer's owner or admin, shown once, stored hashed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request

from platform_core.exceptions import ApplicationError, customer_suspended_error
from platform_core.models import ApiKey, AuditEvent, Customer, User
from platform_core.selectors.customers import customer_for_user
from platform_core.services.audit import audit_record

SCOPE_APPS = ("platform_core", "assessments", "exports", "integrations", "realtime")
SCOPES = frozenset({"read", "write"} | {f"{app}:{access}" for app in SCOPE_APPS for access in ("read", "write")})
LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one write per key per minute


def api_key_allows(*, api_key: ApiKey, app: str, write: bool) -> bool:
    """`write` includes `read`; a bare scope covers every app, `<app>:<access>` one app."""
    accepted = {"write", f"{app}:write"} if write else {"read", "write", f"{app}:read", f"{app}:write"}
    return bool(accepted & set(api_key.scopes))


def api_key_scope_check(*, api_key: ApiKey, view: Any, write: bool) -> None:
    """Whether a key may call `view`: the view declares `api_key_scope` (one of SCOPE_APPS).

    A view that declares none does not take API keys at all (sign-in only), so a new view is
    closed to keys until someone decides which scope it belongs to.
    """
    app = getattr(view, "api_key_scope", None)
    if app is None:
        raise PermissionDenied(
            "This endpoint does not accept API keys; sign in as a person.", code="api_key_not_allowed"
        )
    if not api_key_allows(api_key=api_key, app=app, write=write):
        raise PermissionDenied(
            f"This API key has no {'write' if write else 'read'} scope for {app}.", code="api_key_scope"
        )


@transaction.atomic
def api_key_create(
    *,
    actor: User,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    request: HttpRequest | Request | None = None,
) -> tuple[ApiKey, str]:
    """Returns the key row and the plain key, which is never stored and never shown again."""
    customer = customer_for_user(user=actor)
    unknown = sorted(set(scopes) - SCOPES)
    if not scopes or unknown:
        raise ApplicationError(
            "Give at least one known scope.",
            code="invalid_scope",
            details={"scopes": unknown or ["required"], "allowed": sorted(SCOPES)},
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError(
            "The expiry must be in the future.", code="invalid_expiry", details={"expiresAt": ["in the past"]}
        )
    api_key = ApiKey(name=name, customer=customer, created_by=actor, scopes=sorted(set(scopes)), expiry_date=expires_at)
    key = ApiKey.objects.assign_key(api_key)
    api_key.save()
    audit_record(
        kind=AuditEvent.Kind.API_KEY_CREATED,
        actor=actor,
        request=request,
        target=f"api_key:{api_key.prefix}",
        details={"name": name, "scopes": api_key.scopes},
    )
    return api_key, key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: User | None, request: HttpRequest | Request | None = None) -> ApiKey:
    if api_key.revoked:
        return api_key
    api_key.revoked = True
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked", "revoked_at"])
    audit_record(
        kind=AuditEvent.Kind.API_KEY_REVOKED,
        actor=actor,
        customer=api_key.customer,
        request=request,
        target=f"api_key:{api_key.prefix}",
        details={"name": api_key.name},
    )
    return api_key


def api_key_authenticate(*, key: str) -> ApiKey:
    """The usable key for `key` (its creator and customer loaded, in the one query), or a 401 with code
    api_key_invalid / api_key_expired, or 403 customer_suspended.

    A key acts only inside the customer it was created in: once its creator is no longer an active
    member of that customer (removed, or moved to another customer), the key stops working.
    """
    prefix, _, _ = key.partition(".")
    api_key = (
        ApiKey.objects.select_related("created_by", "customer").filter(prefix=prefix, revoked=False).first()
        if prefix
        else None
    )
    if (
        api_key is None
        or not api_key.is_valid(key)
        or not api_key.created_by.is_active
        or api_key.created_by.customer_id != api_key.customer_id
    ):
        raise ApplicationError("The API key is not valid.", code="api_key_invalid", status_code=401)
    if api_key.has_expired:
        raise ApplicationError("The API key has expired.", code="api_key_expired", status_code=401)
    if api_key.customer.status == Customer.Status.SUSPENDED:
        raise customer_suspended_error()
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


@transaction.atomic
def api_keys_revoke_created_by(
    *, user: User, actor: User | None, request: HttpRequest | Request | None = None, customer_id: int | None = None
) -> int:
    """Revoke the keys `user` created (only those of `customer_id` when given: a member who moves on)."""
    created = ApiKey.objects.select_related("customer").filter(created_by=user, revoked=False)
    keys = list(created.filter(customer_id=customer_id) if customer_id is not None else created)
    for api_key in keys:
        api_key_revoke(api_key=api_key, actor=actor, request=request)
    return len(keys)
