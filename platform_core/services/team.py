"""The team of a customer: invitations (7 days, single use), role changes and removals."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.request import Request

from platform_core.events import sockets_close_publish
from platform_core.exceptions import ApplicationError
from platform_core.models import AuditEvent, TeamInvitation, User, UserSession
from platform_core.notifications import notify
from platform_core.selectors.customers import customer_for_user
from platform_core.services.api_keys import api_keys_revoke_created_by
from platform_core.services.audit import audit_record
from platform_core.services.sessions import sessions_end_for_user, user_snapshot_forget

Req = HttpRequest | Request | None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _customer_id(user: User) -> int:
    return customer_for_user(user=user).pk


def _other_owners(member: User) -> int:
    return (
        User.objects.filter(customer_id=_customer_id(member), role=User.Role.OWNER, is_active=True)
        .exclude(pk=member.pk)
        .count()
    )


def _check_may_manage(*, actor: User, member: User | None = None, role: str | None = None) -> None:
    """Admins manage members and admins; only an owner touches owners."""
    if actor.role == User.Role.OWNER:
        return
    if role == User.Role.OWNER or (member is not None and member.role == User.Role.OWNER):
        raise ApplicationError("Only an owner can manage owners.", code="owner_required", status_code=403)


@transaction.atomic
def invitation_create(*, actor: User, email: str, role: str, request: Req = None) -> tuple[TeamInvitation, str]:
    """Returns the invitation and its token (shown once, and e-mailed to the invitee; only its hash is
    stored)."""
    email = email.strip().lower()
    _check_may_manage(actor=actor, role=role)
    if User.objects.filter(email=email, customer_id=_customer_id(actor), is_active=True).exists():
        raise ApplicationError(
            "This person is already on the team.", code="already_member", status_code=409, details={"email": [email]}
        )
    now = timezone.now()
    # A new invitation replaces any pending one for the same address.
    TeamInvitation.objects.filter(
        customer_id=_customer_id(actor), email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = TeamInvitation.objects.create(
        customer_id=_customer_id(actor),
        email=email,
        role=role,
        token_hash=_token_hash(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=settings.TEAM_INVITATION_DAYS),
    )
    audit_record(
        kind=AuditEvent.Kind.MEMBER_INVITED,
        actor=actor,
        request=request,
        target=f"invitation:{invitation.pk}",
        details={"email": email, "role": role},
    )
    # Fixed text to an address the inviter chose: only the inviter's (validated) address, no free text
    # such as a name or the customer's name, which anyone could fill with a phishing message.
    notify(template="team_invitation", to=[email], context={
        "invite_url": f"{settings.FRONTEND_URL}/invite?token={token}", "inviter": actor.email,
        "role": invitation.get_role_display(), "expires_at": f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC",
    })  # fmt: skip
    return invitation, token


@transaction.atomic
def invitation_revoke(*, invitation: TeamInvitation, actor: User) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def _usable_invitation(token: str) -> TeamInvitation:
    invitation = (
        TeamInvitation.objects.select_for_update()
        .select_related("customer")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if invitation is None:
        raise ApplicationError("This invitation does not exist.", code="invitation_not_found", status_code=404)
    if invitation.accepted_at is not None:
        raise ApplicationError("This invitation was already used.", code="invitation_used", status_code=410)
    if invitation.revoked_at is not None:
        raise ApplicationError("This invitation was withdrawn.", code="invitation_revoked", status_code=410)
    if invitation.expires_at <= timezone.now():
        raise ApplicationError("This invitation has expired.", code="invitation_expired", status_code=410)
    return invitation


@transaction.atomic
def invitation_accept(
    *, token: str, user: User | None = None, password: str = "", full_name: str = "", request: Req = None
) -> tuple[User, bool]:
    """Join the team: as the signed-in `user` (same e-mail), or as a new user with `password`.

    Returns the member and whether the account was created.
    """
    invitation = _usable_invitation(token)
    created = user is None
    if user is None:
        if User.objects.filter(email=invitation.email).exists():
            raise ApplicationError(
                "An account with this e-mail exists: sign in, then accept the invitation.",
                code="account_exists",
                status_code=409,
            )
        if not password:
            raise ValidationError({"password": ["This field is required."]})
        try:
            validate_password(password, user=User(email=invitation.email, full_name=full_name))
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            full_name=full_name.strip(),
            customer=invitation.customer,
            role=invitation.role,
            email_verified_at=timezone.now(),  # the invitation link reached this mailbox
        )
    else:
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.email != invitation.email:
            raise ApplicationError(
                "This invitation is for another e-mail address.", code="invitation_email_mismatch", status_code=403
            )
        if user.customer_id == invitation.customer_id:
            raise ApplicationError("You are already on this team.", code="already_member", status_code=409)
        others = User.objects.filter(customer=user.customer, is_active=True).exclude(pk=user.pk)
        if user.customer and user.role == User.Role.OWNER and _other_owners(user) == 0 and others.exists():
            raise ApplicationError(
                "You are the only owner of your current team: make someone else owner first.",
                code="last_owner",
                status_code=409,
            )
        previous_customer_id = user.customer_id
        user.customer = invitation.customer
        user.role = invitation.role
        user.save(update_fields=["customer", "role"])
        user_snapshot_forget(user_id=user.pk)
        if previous_customer_id is not None:
            # Keys made in the old customer stay there (its owners see them revoked); sockets re-check.
            api_keys_revoke_created_by(user=user, actor=user, request=request, customer_id=previous_customer_id)
            sockets_close_publish(reason="customer_changed", user_ids=[user.pk])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        kind=AuditEvent.Kind.MEMBER_JOINED,
        actor=user,
        customer=invitation.customer,
        request=request,
        target=f"invitation:{invitation.pk}",
        details={"role": invitation.role, "newAccount": created},
    )
    return user, created


@transaction.atomic
def member_role_change(*, actor: User, member: User, role: str, request: Req = None) -> User:
    _check_may_manage(actor=actor, member=member, role=role)
    member = User.objects.select_for_update().get(pk=member.pk)
    if member.role == role:
        return member
    if member.role == User.Role.OWNER and _other_owners(member) == 0:
        raise ApplicationError("A team keeps at least one owner.", code="last_owner", status_code=409)
    previous = member.role
    member.role = role
    member.save(update_fields=["role"])
    user_snapshot_forget(user_id=member.pk)
    audit_record(
        kind=AuditEvent.Kind.ROLE_CHANGED,
        actor=actor,
        request=request,
        target=f"user:{member.pk}",
        details={"email": member.email, "from": previous, "to": role},
    )
    return member


@transaction.atomic
def member_remove(*, actor: User, member: User, request: Req = None) -> None:
    """Deactivate the member, end their sessions and revoke the API keys they created."""
    _check_may_manage(actor=actor, member=member)
    member = User.objects.select_for_update().get(pk=member.pk)
    if member.role == User.Role.OWNER and _other_owners(member) == 0:
        raise ApplicationError("A team keeps at least one owner.", code="last_owner", status_code=409)
    member.is_active = False
    member.save(update_fields=["is_active"])
    user_snapshot_forget(user_id=member.pk)
    sessions_end_for_user(user=member, reason=UserSession.EndReason.MEMBER_REMOVED, actor=actor, request=request)
    sockets_close_publish(reason=UserSession.EndReason.MEMBER_REMOVED, user_ids=[member.pk])
    api_keys_revoke_created_by(user=member, actor=actor, request=request)
    audit_record(
        kind=AuditEvent.Kind.MEMBER_REMOVED,
        actor=actor,
        request=request,
        target=f"user:{member.pk}",
        details={"email": member.email, "role": member.role},
    )
