from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from platform_core.exceptions import ApplicationError
from platform_core.models import Customer, DeadLetter, Job, ScheduledTask, User
from platform_core.services.dead_letters import dead_letter_discard, dead_letter_replay
from platform_core.services.jobs import job_cancel, job_requeue


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "tier", "status", "created_at"]
    list_filter = ["tier", "status"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "customer", "role", "is_staff", "is_active", "date_joined"]
    list_filter = ["role", "is_staff", "is_active", "customer__tier"]
    search_fields = ["email", "full_name", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "customer", "role")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "customer", "role", "password1", "password2")}),)


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
    list_filter = ["task_name"]
    readonly_fields = [f.name for f in ScheduledTask._meta.fields]
