"""Security: login sessions, API keys, team invitations and the audit log."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey

from platform_core.models.accounts import Customer, User


class UserSession(models.Model):
    """One login (a device): its tokens carry this id; Redis holds the hot copy, this row the record."""

    class EndReason(models.TextChoices):
        LOGOUT = "logout", "Logged out"
        SESSION_LIMIT = "session_limit", "Ended by a newer login (session limit)"
        IDLE = "idle", "Idle timeout"
        REFRESH_REUSE = "refresh_reuse", "Refresh token reused (possible theft)"
        REVOKED = "revoked", "Revoked by the user"
        ADMIN = "admin", "Revoked by staff"
        MEMBER_REMOVED = "member_removed", "Member removed from the team"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    # The jti of the only refresh token of this session that may be used; an older one is a replay.
    refresh_jti = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    # Updated at login and refresh; the time of the latest request lives in Redis (sessions API reads it).
    last_seen_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(help_text="Absolute end: the refresh token lifetime from the last refresh.")
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "ended_at"], name="usersession_user_ended")]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M} ({self.end_reason or 'active'})"


class ApiKey(AbstractAPIKey):
    """A machine client's key (hashed by djangorestframework-api-key); acts for its creator within its scopes."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="api_keys")
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    # "read", "write", or per app: "assessments:read", "exports:write" ...
    scopes = models.JSONField(default=list)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"
        indexes = [models.Index(fields=["customer", "-created"], name="apikey_customer_created")]


class TeamInvitation(models.Model):
    """An invitation to join a customer's team; the token is shown once and stored as a hash."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=User.Role.choices, default=User.Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="invitation_customer_created")]

    def __str__(self) -> str:
        return f"{self.email} → {self.customer}"


class AuditEvent(models.Model):
    """A security event: who did what, from where, when. Append-only."""

    class Kind(models.TextChoices):
        LOGIN_SUCCEEDED = "login_succeeded", "Login succeeded"
        LOGIN_FAILED = "login_failed", "Login failed"
        ACCOUNT_LOCKED = "account_locked", "Account locked after failed logins"
        REFRESH_REUSED = "refresh_token_reused", "Refresh token reused"
        SESSION_REVOKED = "session_revoked", "Session revoked"
        API_KEY_CREATED = "api_key_created", "API key created"
        API_KEY_REVOKED = "api_key_revoked", "API key revoked"
        ROLE_CHANGED = "role_changed", "Role changed"
        MEMBER_INVITED = "member_invited", "Member invited"
        MEMBER_JOINED = "member_joined", "Invitation accepted"
        MEMBER_REMOVED = "member_removed", "Member removed"
        EXPORT_DOWNLOADED = "export_downloaded", "Export downloaded"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Kept when the actor is unknown (a failed login) or later deleted.
    actor_email = models.CharField(max_length=254, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    target = models.CharField(max_length=200, blank=True, help_text="What the event is about: a session, key, user.")
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="audit_customer_created"),
            models.Index(fields=["kind", "-created_at"], name="audit_kind_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.actor_email} {self.created_at:%Y-%m-%d %H:%M}"
