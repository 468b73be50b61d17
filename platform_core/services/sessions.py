"""Login sessions: created at login, rotated at refresh, ended by logout, limit, idle time, reuse or staff.

PostgreSQL holds the record (UserSession); Redis holds the hot copy every process checks on each
request (platform_core.gate). An end is written to Redis at once, so tokens stop working at once.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.request import Request
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from platform_core import gate
from platform_core.events import sockets_close_publish
from platform_core.exceptions import ApplicationError
from platform_core.models import AuditEvent, User, UserSession
from platform_core.services.audit import audit_record, request_origin

REUSE_DETECTED = "reuse_detected"
EXPIRED_REASONS = {UserSession.EndReason.IDLE, "expired"}  # "expired": past the refresh lifetime


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    session: UserSession


def session_error(reason: str) -> ApplicationError:
    """The 401 a client sees for an ended session: expired (idle, lifetime) or revoked (anything else)."""
    if reason in EXPIRED_REASONS:
        return ApplicationError(
            "Your session has expired. Please sign in again.", code="session_expired", status_code=401
        )
    return ApplicationError(
        "This session has been ended. Please sign in again.",
        code="session_revoked",
        status_code=401,
        details={"reason": reason},
    )


# --- the Redis copy ---------------------------------------------------------------------------


def user_snapshot_write(*, user: User) -> None:
    """What every request needs of `user`, its customer's status included (suspension is checked here)."""
    key = gate.user_key(user.pk)
    customer = user.customer if user.customer_id else None
    status = customer.status if customer else ""
    pipe = gate.client().pipeline(transaction=False)
    pipe.hset(
        key,
        mapping={
            "cid": user.customer_id or "",
            "role": user.role,
            "staff": int(user.is_staff),
            "active": int(user.is_active),
            "email": user.email,
            "name": user.full_name,
            "joined": user.date_joined.isoformat(),
            "cst": status,
            "cust": json.dumps(
                [customer.name, customer.slug, customer.tier, customer.created_at.isoformat()] if customer else []
            ),
        },
    )
    pipe.expire(key, gate.USER_SNAPSHOT_TTL)
    pipe.execute()


def user_snapshot_forget(*, user_id: int) -> None:
    """Call after any change to a user's customer, role or active flag: the next request reloads it."""
    gate.client().delete(gate.user_key(user_id))


def user_snapshots_forget(*, user_ids: list[int]) -> None:
    """The same for many users at once (a customer suspended or reactivated), one round trip."""
    if user_ids:
        gate.client().delete(*[gate.user_key(user_id) for user_id in user_ids])


def _cache_write(session: UserSession) -> None:
    key = gate.session_key(str(session.id))
    pipe = gate.client().pipeline(transaction=False)
    pipe.hset(
        key,
        mapping={
            "uid": session.user_id,
            "seen": repr(session.last_seen_at.timestamp()),
            "end": session.end_reason if session.ended_at else "",
            "exp": repr(session.expires_at.timestamp()),
        },
    )
    pipe.expireat(key, int(session.expires_at.timestamp()) + 60)
    pipe.execute()


def _cache_last_seen(sessions: list[UserSession]) -> dict[str, float]:
    if not sessions:
        return {}
    pipe = gate.client().pipeline(transaction=False)
    for session in sessions:
        pipe.hget(gate.session_key(str(session.id)), "seen")
    return {str(s.id): float(seen) for s, seen in zip(sessions, pipe.execute(), strict=True) if seen}


def session_last_seen(*, session: UserSession) -> datetime:
    """Redis has the last request's time; PostgreSQL the last login or refresh."""
    seen = _cache_last_seen([session]).get(str(session.id))
    return datetime.fromtimestamp(seen, tz=UTC) if seen else session.last_seen_at


def sessions_with_last_seen(sessions: list[UserSession]) -> list[UserSession]:
    cached = _cache_last_seen(sessions)
    for session in sessions:
        if str(session.id) in cached:
            session.last_seen_at = datetime.fromtimestamp(cached[str(session.id)], tz=UTC)
    return sessions


# --- lifecycle ----------------------------------------------------------------------------------


def _issue_tokens(session: UserSession, *, now: datetime) -> TokenPair:
    refresh = RefreshToken.for_user(session.user)
    refresh["sid"] = str(session.id)
    session.refresh_jti = str(refresh[jwt_settings.JTI_CLAIM])
    session.last_seen_at = now
    session.expires_at = now + jwt_settings.REFRESH_TOKEN_LIFETIME
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh), session=session)


def _end(sessions: list[UserSession], *, reason: str, now: datetime) -> None:
    if not sessions:
        return
    UserSession.objects.filter(pk__in=[s.pk for s in sessions], ended_at__isnull=True).update(
        ended_at=now, end_reason=reason
    )
    pipe = gate.client().pipeline(transaction=False)
    for session in sessions:
        session.ended_at, session.end_reason = now, reason
        key = gate.session_key(str(session.id))
        pipe.hset(key, "end", reason)
        pipe.expireat(key, int(session.expires_at.timestamp()) + 60)
    pipe.execute()
    sockets_close_publish(reason=reason, session_ids=[str(s.pk) for s in sessions])


def _active_sessions(user_id: int, *, now: datetime) -> list[UserSession]:
    return list(
        UserSession.objects.filter(user_id=user_id, ended_at__isnull=True, expires_at__gt=now).order_by("created_at")
    )


@transaction.atomic
def session_create(
    *, user: User, request: HttpRequest | Request | None = None, now: datetime | None = None
) -> TokenPair:
    """A login: a new session and its tokens; beyond SESSION_MAX_PER_USER the oldest sessions end."""
    now = now or timezone.now()
    # One login of a user at a time; the customer comes with the lock, for the snapshot (no query of its own).
    locked = User.objects.select_for_update(of=("self",)).select_related("customer").filter(pk=user.pk).first()
    if locked is not None and locked.customer_id == user.customer_id:
        User.customer.field.set_cached_value(user, locked.customer)
    active = _active_sessions(user.pk, now=now)
    overflow = active[: max(0, len(active) - settings.SESSION_MAX_PER_USER + 1)]
    _end(overflow, reason=UserSession.EndReason.SESSION_LIMIT, now=now)
    ip, user_agent = request_origin(request)
    session = UserSession(user=user, ip=ip, user_agent=user_agent, created_at=now)
    tokens = _issue_tokens(session, now=now)
    session.save()
    _cache_write(session)
    user_snapshot_write(user=user)
    return tokens


def _refresh_locked(token: RefreshToken, *, request: HttpRequest | Request | None, now: datetime) -> TokenPair | str:
    """The rotation itself, or the reason the session ends / ended (raised after the commit)."""
    session = UserSession.objects.select_for_update().select_related("user").filter(pk=token.get("sid")).first()
    if session is None or str(session.user_id) != str(token.get(jwt_settings.USER_ID_CLAIM)):
        return "unknown"
    if session.ended_at is not None:
        return session.end_reason
    if not session.user.is_active:
        _end([session], reason=UserSession.EndReason.ADMIN, now=now)
        return UserSession.EndReason.ADMIN
    if (now - session_last_seen(session=session)).total_seconds() > settings.SESSION_IDLE_TIMEOUT_SECONDS:
        _end([session], reason=UserSession.EndReason.IDLE, now=now)
        return UserSession.EndReason.IDLE
    if token[jwt_settings.JTI_CLAIM] != session.refresh_jti:
        # A rotated refresh token came back: someone holds a copy. End the session for everyone.
        _end([session], reason=UserSession.EndReason.REFRESH_REUSE, now=now)
        audit_record(
            kind=AuditEvent.Kind.REFRESH_REUSED, actor=session.user, request=request, target=f"session:{session.pk}"
        )
        return REUSE_DETECTED
    tokens = _issue_tokens(session, now=now)
    session.save(update_fields=["refresh_jti", "last_seen_at", "expires_at"])
    _cache_write(session)
    return tokens


def session_refresh(
    *, refresh: str, request: HttpRequest | Request | None = None, now: datetime | None = None
) -> TokenPair:
    """Rotate: the presented refresh token must be the session's latest; a replay ends the session."""
    now = now or timezone.now()
    try:
        token = RefreshToken(refresh)  # type: ignore[arg-type]
    except TokenError as exc:
        raise ApplicationError(str(exc), code="token_not_valid", status_code=401) from exc
    if not token.get("sid"):
        raise ApplicationError("This token has no session.", code="token_not_valid", status_code=401)
    with transaction.atomic():
        outcome = _refresh_locked(token, request=request, now=now)
    if isinstance(outcome, TokenPair):
        return outcome
    if outcome == REUSE_DETECTED:
        raise ApplicationError(
            "This refresh token was already used; the session has been ended. Please sign in again.",
            code="refresh_token_reused",
            status_code=401,
        )
    if outcome == "unknown":
        raise ApplicationError("This token has no session.", code="token_not_valid", status_code=401)
    raise session_error(outcome)


@transaction.atomic
def session_end(
    *,
    session: UserSession,
    reason: str = UserSession.EndReason.REVOKED,
    actor: User | None = None,
    request: HttpRequest | Request | None = None,
) -> None:
    if session.ended_at is not None:
        return
    _end([session], reason=reason, now=timezone.now())
    if reason != UserSession.EndReason.LOGOUT:
        audit_record(
            kind=AuditEvent.Kind.SESSION_REVOKED,
            actor=actor,
            customer=session.user.customer,
            request=request,
            target=f"session:{session.pk}",
            details={"reason": reason, "userId": session.user_id},
        )


@transaction.atomic
def sessions_end_for_user(
    *,
    user: User,
    reason: str,
    actor: User | None = None,
    request: HttpRequest | Request | None = None,
    keep_session_id: str | None = None,
) -> int:
    """End every active session of `user` (but `keep_session_id`); returns how many ended."""
    sessions = [s for s in _active_sessions(user.pk, now=timezone.now()) if str(s.pk) != str(keep_session_id)]
    _end(sessions, reason=reason, now=timezone.now())
    if sessions:
        audit_record(
            kind=AuditEvent.Kind.SESSION_REVOKED,
            actor=actor,
            customer=user.customer,
            request=request,
            target=f"user:{user.pk}",
            details={"reason": reason, "userId": user.pk, "sessions": len(sessions)},
        )
    return len(sessions)


def session_check_from_db(*, session_id: str, user_id: str, now: float | None = None) -> str:
    """The slow path when Redis lost the session (eviction, restart): decide from PostgreSQL, refill Redis.

    Returns "ok" or the end reason.
    """
    now_dt = datetime.fromtimestamp(now if now is not None else time.time(), tz=UTC)
    session = UserSession.objects.filter(pk=session_id).first()
    if session is None or str(session.user_id) != str(user_id):
        return UserSession.EndReason.REVOKED
    if session.ended_at is None and session.expires_at <= now_dt:
        return "expired"
    if (
        session.ended_at is None
        and (now_dt - session.last_seen_at).total_seconds() > settings.SESSION_IDLE_TIMEOUT_SECONDS
    ):
        _end([session], reason=UserSession.EndReason.IDLE, now=now_dt)
    _cache_write(session)
    return session.end_reason if session.ended_at else "ok"


def session_end_idle(*, session_id: str) -> None:
    """Record in PostgreSQL an idle end that the request path found in Redis."""
    UserSession.objects.filter(pk=session_id, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=UserSession.EndReason.IDLE
    )


def session_alive(*, session_id: str, user_id: int) -> bool:
    """For a socket's re-check: the session was not ended and is within its lifetime (Redis, else SQL).

    Idle time is not held against it: an open socket is activity.
    """
    uid, end, exp = gate.client().hmget(gate.session_key(session_id), "uid", "end", "exp")
    if uid is None:
        return session_check_from_db(session_id=session_id, user_id=str(user_id)) in ("ok", UserSession.EndReason.IDLE)
    return int(uid) == user_id and not end and exp is not None and float(exp) > time.time()
