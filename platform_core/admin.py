import contextlib
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from rest_framework_api_key.models import APIKey

from platform_core.admin_login import admin_login_protect
from platform_core.events import sockets_close_publish
from platform_core.exceptions import ApplicationError
from platform_core.models import (
    ApiKey,
    AuditEvent,
    Customer,
    DeadLetter,
    Job,
    ScheduledTask,
    TeamInvitation,
    User,
    UserSession,
)
from platform_core.observability.health_page import health_snapshot
from platform_core.services.accounts import customer_snapshots_forget, customer_status_set
from platform_core.services.api_keys import api_key_revoke
from platform_core.services.dead_letters import dead_letter_discard
from platform_core.services.jobs import job_cancel, job_requeue
from platform_core.services.login import login_unlock
from platform_core.services.replay import dead_letter_replay
from platform_core.services.sessions import session_end, sessions_end_for_user, user_snapshot_forget

admin_login_protect()


def admin_site_brand() -> None:
    """The default admin site, branded, with the staff health numbers on its index (templates/admin/index.html)."""
    site: Any = admin.site
    site.site_header = site.site_title = settings.ADMIN_SITE_HEADER
    site.index_title = "Platform operations"
    if getattr(site.index, "with_health", False):
        return
    index = site.index

    def index_with_health(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        health = health_snapshot()
        waiting = sum(queue["depth"] for queue in health["queues"].values()) if health["queues"] else None
        return index(request, {"health": health, "health_queues_waiting": waiting, **(extra_context or {})})

    index_with_health.with_health = True  # type: ignore[attr-defined]
    site.index = index_with_health


admin_site_brand()


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "tier", "status", "created_at"]
    list_filter = ["tier", "status"]
    search_fields = ["name", "slug"]
    date_hierarchy = "created_at"
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]
    actions = ["suspend", "reactivate"]

    def save_model(self, request: HttpRequest, obj: Customer, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data:  # the same effects as the actions below
            customer_status_set(customer=obj, status=obj.status)
        elif change and form.changed_data:
            customer_snapshots_forget(customer=obj)

    @admin.action(description="Suspend the selected customers (refuses their logins, keys, sockets, jobs)")
    def suspend(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        for customer in queryset:
            customer_status_set(customer=customer, status=Customer.Status.SUSPENDED)
        self.message_user(request, f"{len(queryset)} customer(s) suspended.")

    @admin.action(description="Reactivate the selected customers")
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        for customer in queryset:
            customer_status_set(customer=customer, status=Customer.Status.ACTIVE)
        self.message_user(request, f"{len(queryset)} customer(s) reactivated.")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "customer", "role", "is_staff", "is_active", "date_joined"]
    list_filter = ["role", "is_staff", "is_active", "customer__tier"]
    search_fields = ["email", "full_name", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    readonly_fields = ["last_login", "date_joined", "email_verified_at"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "customer", "role")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined", "email_verified_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "customer", "role", "password1", "password2")}),)
    actions = ["revoke_sessions", "unlock_sign_in"]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        user_snapshot_forget(user_id=obj.pk)  # role, customer or active flag may have changed
        if change:  # open sockets re-check who they serve
            sockets_close_publish(reason="user_changed", user_ids=[obj.pk])

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        user_id = obj.pk
        super().delete_model(request, obj)
        user_snapshot_forget(user_id=user_id)  # open tokens then find no user: 401

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        user_ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        for user_id in user_ids:
            user_snapshot_forget(user_id=user_id)

    @admin.action(description="End all sessions of the selected users")
    def revoke_sessions(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        ended = 0
        for user in queryset.select_related("customer"):
            ended += sessions_end_for_user(user=user, reason=UserSession.EndReason.ADMIN, actor=actor, request=request)
        self.message_user(request, f"{ended} session(s) ended.")

    @admin.action(description="Unlock sign-in (lift failed-login locks from every source)")
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        lifted = sum(login_unlock(email=user.email) for user in queryset)
        self.message_user(request, f"{lifted} lock(s) and failure count(s) lifted.")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "progress", "customer", "user", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "kind", "customer"]
    search_fields = ["id", "kind", "customer__name", "user__email", "error"]
    list_select_related = ["customer", "user"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Job._meta.fields]
    actions = ["retry_jobs", "cancel_jobs"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Retry selected failed or cancelled jobs")
    def retry_jobs(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        retried = 0
        for job in queryset.exclude(status__in=Job.ACTIVE):
            job_requeue(job=job, message="Retried by staff", reset_attempts=True)
            retried += 1
        self.message_user(request, f"{retried} job(s) queued again.")

    @admin.action(description="Cancel selected queued or running jobs")
    def cancel_jobs(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        cancelled = 0
        for job in queryset.filter(status__in=Job.ACTIVE):
            job_cancel(job=job)
            cancelled += 1
        self.message_user(request, f"{cancelled} job(s) cancelled.")


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = [
        "task_name",
        "status",
        "short_error",
        "attempts",
        "replay_count",
        "first_failed_at",
        "last_failed_at",
    ]
    list_filter = ["status", "task_name", "last_failed_at"]
    search_fields = ["task_name", "task_id", "error", "job__id"]
    readonly_fields = [f.name for f in DeadLetter._meta.fields]
    list_select_related = ["job"]
    actions = ["replay", "discard"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Error")
    def short_error(self, letter: DeadLetter) -> str:
        return letter.error[:120]

    @admin.action(description="Replay selected (run the task again)")
    def replay(self, request: HttpRequest, queryset: QuerySet[DeadLetter]) -> None:
        replayed, refused = 0, 0
        for letter in queryset:
            try:
                dead_letter_replay(letter=letter)
                replayed += 1
            except ApplicationError:
                refused += 1
        self.message_user(request, f"{replayed} replayed; {refused} not replayable (already replayed or resolved).")

    @admin.action(description="Discard selected")
    def discard(self, request: HttpRequest, queryset: QuerySet[DeadLetter]) -> None:
        for letter in queryset:
            dead_letter_discard(letter=letter)
        self.message_user(request, "Discarded.")


@admin.register(ScheduledTask)
class ScheduledTaskAdmin(admin.ModelAdmin):
    list_display = ["task_name", "due_at", "task_id", "created_at"]
    list_filter = ["task_name", "due_at"]
    search_fields = ["task_name", "task_id"]
    readonly_fields = [f.name for f in ScheduledTask._meta.fields]


# --- Security: sessions, API keys, invitations, audit log ------------------------------------


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "ip", "user_agent", "created_at", "last_seen_at", "ended_at", "end_reason"]
    list_filter = ["end_reason", ("ended_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["user__email", "ip"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in UserSession._meta.fields]
    actions = ["end_sessions"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="End selected sessions")
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[UserSession]) -> None:
        for session in queryset.select_related("user__customer"):
            session_end(session=session, reason=UserSession.EndReason.ADMIN, actor=request.user, request=request)  # type: ignore[arg-type]
        self.message_user(request, "Sessions ended.")


with contextlib.suppress(NotRegistered):
    admin.site.unregister(APIKey)  # the library's own model is unused: platform_core.ApiKey is the key


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "customer", "scopes", "created", "expiry_date", "last_used_at", "revoked")
    list_filter = ("revoked", "created")
    search_fields = ("name", "prefix", "customer__name")
    list_select_related = ["customer"]
    readonly_fields = ("prefix", "customer", "created_by", "last_used_at", "revoked", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are created by customers' owners and admins through the API

    @admin.action(description="Revoke selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset.select_related("customer"):
            api_key_revoke(api_key=api_key, actor=request.user, request=request)  # type: ignore[arg-type]
        self.message_user(request, "Keys revoked.")


@admin.register(TeamInvitation)
class TeamInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "customer", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role", ("accepted_at", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "customer__name", "invited_by__email"]
    list_select_related = ["customer"]
    readonly_fields = [f.name for f in TeamInvitation._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is evidence."""

    list_display = ["created_at", "kind", "actor_email", "customer", "ip", "target"]
    list_filter = ["kind"]
    search_fields = ["actor_email", "target", "ip", "customer__name"]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
