"""Reads for sessions, API keys, team and the audit log, scoped to the caller (another customer's → 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from platform_core.models import ApiKey, AuditEvent, TeamInvitation, User, UserSession
from platform_core.selectors.customers import customer_for_user


def sessions_active_for_user(*, user: User) -> list[UserSession]:
    return list(
        UserSession.objects.filter(user_id=user.pk, ended_at__isnull=True, expires_at__gt=timezone.now()).order_by(
            "-created_at"
        )
    )


def session_get_for_user(*, user: User, session_id: str) -> UserSession:
    session = UserSession.objects.select_related("user__customer").filter(pk=session_id, user_id=user.pk).first()
    if session is None:
        raise Http404
    return session


def api_keys_for_customer(*, user: User) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(customer=customer_for_user(user=user)).order_by("-created")


def api_key_get_for_customer(*, user: User, prefix: str) -> ApiKey:
    api_key = api_keys_for_customer(user=user).select_related("customer").filter(prefix=prefix).first()
    if api_key is None:
        raise Http404
    return api_key


def members_for_customer(*, user: User) -> QuerySet[User]:
    return User.objects.filter(customer=customer_for_user(user=user), is_active=True).order_by("email")


def member_get_for_customer(*, user: User, member_id: int) -> User:
    member = members_for_customer(user=user).select_related("customer").filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


def invitations_pending_for_customer(*, user: User) -> QuerySet[TeamInvitation]:
    return TeamInvitation.objects.filter(
        customer=customer_for_user(user=user),
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).order_by("-created_at")


def invitation_get_for_customer(*, user: User, invitation_id: str) -> TeamInvitation:
    invitation = TeamInvitation.objects.filter(pk=invitation_id, customer=customer_for_user(user=user)).first()
    if invitation is None:
        raise Http404
    return invitation


def audit_events_for_customer(*, user: User, kind: str | None = None) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(customer=customer_for_user(user=user)).select_related("actor")
    return events.filter(kind=kind) if kind else events
