"""Who is calling: a JWT bound to a live session (one Redis round trip, no SQL), or an API key."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from datetime import datetime
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import APIException, AuthenticationFailed
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import Token

from platform_core.exceptions import ApplicationError, customer_suspended_error
from platform_core.gate import gate_check
from platform_core.models import ApiKey, Customer, User
from platform_core.services import api_keys as api_key_services
from platform_core.services import sessions as session_services
from platform_core.throttling import limits_for, usage_record


def _user_from_snapshot(snapshot: dict[str, str]) -> User:
    """A User with the fields requests need loaded; any other field loads on first access."""
    known: dict[str, Any] = {
        "id": int(snapshot["uid"]),
        "customer_id": int(snapshot["cid"]) if snapshot["cid"] else None,
        "role": snapshot["role"],
        "is_staff": snapshot["staff"] == "1",
        "is_active": snapshot["active"] == "1",
        "email": snapshot["email"],
    }
    if snapshot.get("joined"):  # snapshots written before these two fields make /auth/me/ read the row
        known["full_name"] = snapshot["name"]
        known["date_joined"] = datetime.fromisoformat(snapshot["joined"])
    # from_db takes the values in the model's field order.
    names = [f.attname for f in User._meta.concrete_fields if f.attname in known]
    user = User.from_db("default", names, [known[name] for name in names])
    if known["customer_id"] and snapshot.get("cust"):
        name, slug, tier, created_at = json.loads(snapshot["cust"])
        customer = Customer.from_db(
            "default",
            ["id", "name", "slug", "tier", "status", "created_at"],
            [known["customer_id"], name, slug, tier, snapshot["cst"], datetime.fromisoformat(created_at)],
        )
        User.customer.field.set_cached_value(user, customer)  # request.user.customer: no query
    return user


def _failed(error: ApplicationError) -> APIException:
    """401s stay authentication failures (with the WWW-Authenticate challenge); anything else keeps its status."""
    if error.status_code == 401:
        return AuthenticationFailed(error.message, code=error.code)
    failure = APIException(error.message, code=error.code)
    failure.status_code = error.status_code
    return failure


class SessionJWTAuthentication(JWTAuthentication):
    """A Bearer access token whose session is alive; also counts the request against its rate limits."""

    # Clients send the same access token for its whole life: verify its signature once per process.
    # Only a byte-identical token hits the cache; expiry is still checked on every request.
    _verified: OrderedDict[bytes, Token] = OrderedDict()
    VERIFIED_CACHE_SIZE = 2048

    def get_validated_token(self, raw_token: bytes) -> Token:
        token = self._verified.get(raw_token)
        if token is not None and token.get("exp", 0) > time.time():
            return token
        token = super().get_validated_token(raw_token)
        self._verified[raw_token] = token
        if len(self._verified) > self.VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
        return token

    def authenticate(self, request: Request) -> tuple[User, Token] | None:  # type: ignore[override]
        header = self.get_header(request)
        raw = self.get_raw_token(header) if header is not None else None
        if raw is None:
            return None
        token = self.get_validated_token(raw)
        session_id, user_id = token.get("sid"), token.get(jwt_settings.USER_ID_CLAIM)
        if not session_id or not user_id:
            raise AuthenticationFailed("This token is not bound to a session.", code="token_not_valid")
        view = (request.parser_context or {}).get("view")
        limits = limits_for(principal="user", who=f"u{user_id}", request=request, view=view)
        result = gate_check(session_id=str(session_id), user_id=str(user_id), limits=limits)
        usage_record(request._request, result.usages)

        if result.state == "missing":
            reason = session_services.session_check_from_db(session_id=str(session_id), user_id=str(user_id))
            if reason != "ok":
                raise _failed(session_services.session_error(reason))
        elif result.state == "ended":
            if result.end_reason == "idle":
                session_services.session_end_idle(session_id=str(session_id))
            raise _failed(session_services.session_error(result.end_reason))

        if result.state == "ok":
            user = _user_from_snapshot(result.user)
            customer_status = result.user["cst"]
        else:  # Redis had no snapshot of the user: read it once and store it
            user = User.objects.select_related("customer").filter(pk=user_id).first()  # type: ignore[assignment]
            if user is None:
                raise AuthenticationFailed("User not found.", code="user_not_found")
            session_services.user_snapshot_write(user=user)
            customer_status = user.customer.status if user.customer else ""
        if not user.is_active:
            raise AuthenticationFailed("User is inactive.", code="user_inactive")
        if customer_status == Customer.Status.SUSPENDED:  # from the snapshot: no query per request
            raise _failed(customer_suspended_error())
        return user, token


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <key>` or `X-API-Key: <key>` (the header the old frontend sends)."""

    keyword = "Api-Key"

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        key = self._key(request)
        if key is None:
            return None
        try:
            api_key = api_key_services.api_key_authenticate(key=key)
        except ApplicationError as exc:
            raise _failed(exc) from exc
        # Here, not in a permission: views that also let anonymous callers in still apply the scope.
        view = (request.parser_context or {}).get("view")
        api_key_services.api_key_scope_check(api_key=api_key, view=view, write=request.method not in SAFE_METHODS)
        return api_key.created_by, api_key

    def _key(self, request: Request) -> str | None:
        header: Any = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, value = str(header).partition(" ")
        if scheme == self.keyword and value.strip():
            return value.strip()
        return request.META.get("HTTP_X_API_KEY", "").strip() or None

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class SessionJWTScheme(OpenApiAuthenticationExtension):
    target_class = SessionJWTAuthentication
    name = "jwtAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "X-API-Key"}
