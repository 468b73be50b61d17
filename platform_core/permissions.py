"""Roles on every request: readonly never writes; owners and admins manage keys, webhooks and members."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from platform_core.models import ApiKey, User
from platform_core.selectors.customers import customer_for_user
from platform_core.services.api_keys import api_key_scope_check

MANAGER_ROLES = frozenset({User.Role.OWNER, User.Role.ADMIN})


class RoleWritePermission(BasePermission):
    """The default: signed in; a `readonly` user cannot write; an API key acts within the scope the view
    declares (`api_key_scope`; none declared: no keys).

    A view whose writes only concern the caller's own login (logout, ending a session) sets
    `readonly_may_write = True`.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        write = request.method not in SAFE_METHODS
        if isinstance(request.auth, ApiKey):  # authentication checked it; a forced one is checked here
            api_key_scope_check(api_key=request.auth, view=view, write=write)
        if write and user.role == User.Role.READONLY and not getattr(view, "readonly_may_write", False):
            raise PermissionDenied("Your role is read-only.", code="read_only_role")
        return True


class HasCustomer(RoleWritePermission):
    """Signed in as a user of a customer: a user without one gets 403 `no_customer` (`customer_for_user`)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        customer_for_user(user=request.user)  # type: ignore[arg-type]
        return True


class IsCustomerManager(HasCustomer):
    """Owner or admin of a customer, signed in as a person (not with an API key)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if isinstance(request.auth, ApiKey):
            raise PermissionDenied("Sign in as a person to do this; API keys cannot.", code="api_key_not_allowed")
        user = request.user
        if not isinstance(user, User) or user.role not in MANAGER_ROLES:
            raise PermissionDenied("Only the customer's owner or an admin may do this.", code="manager_role_required")
        return True


class IsPerson(RoleWritePermission):
    """Signed in with a session (not an API key): managing one's own logins."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if isinstance(request.auth, ApiKey):
            raise PermissionDenied("Sign in as a person to do this; API keys cannot.", code="api_key_not_allowed")
        return True
