from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from integrations.airtable import services
from integrations.airtable.crypto import token_encrypt
from integrations.airtable.models import (
    AirtableConflict,
    AirtableConnection,
    AirtableRecordChange,
    AirtableSyncRun,
    AirtableTableMapping,
)
from integrations.airtable.outbox import push_targets_forget
from platform_core.exceptions import ApplicationError


class ConnectionForm(forms.ModelForm):
    """The token is write-only here too: typed in, encrypted, never shown back."""

    new_token = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the stored token.",
    )

    class Meta:
        model = AirtableConnection
        fields = ["customer", "name", "base_id", "status"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.instance.pk and not data.get("new_token"):
            self.add_error("new_token", "A token is required.")
        return data

    def save(self, commit: bool = True) -> AirtableConnection:
        if token := self.cleaned_data.get("new_token"):
            self.instance.token_encrypted = token_encrypt(token)
        return super().save(commit=commit)


class TableMappingInline(admin.StackedInline):
    model = AirtableTableMapping
    extra = 0
    fields = ["entity", "table_name", "key_field", "modified_field", "direction", "enabled", "fields", "cursor"]


@admin.register(AirtableConnection)
class AirtableConnectionAdmin(admin.ModelAdmin):
    form = ConnectionForm
    list_display = ["__str__", "customer", "base_id", "status", "last_error_code", "last_checked_at"]
    list_filter = ["status"]
    search_fields = ["name", "base_id", "customer__name"]
    readonly_fields = ["last_error_code", "last_error", "last_checked_at", "created_by", "created_at"]
    inlines = [TableMappingInline]
    actions = ["sync_incremental", "sync_full"]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        push_targets_forget(customer_id=form.instance.customer_id)  # which entities it pushes may have changed

    def _sync(self, request: HttpRequest, queryset: QuerySet[AirtableConnection], mode: str) -> None:
        for connection in queryset:
            try:
                services.airtable_sync_start(
                    connection=connection,
                    user=request.user,  # type: ignore[arg-type]
                    mode=mode,
                    trigger=AirtableSyncRun.Trigger.ADMIN,
                )
            except ApplicationError as exc:
                self.message_user(request, f"{connection}: {exc.message}", messages.WARNING)
            else:
                self.message_user(request, f"{connection}: sync started.")

    @admin.action(description="Sync now (incremental)")
    def sync_incremental(self, request: HttpRequest, queryset: QuerySet[AirtableConnection]) -> None:
        self._sync(request, queryset, AirtableSyncRun.Mode.INCREMENTAL)

    @admin.action(description="Full resync")
    def sync_full(self, request: HttpRequest, queryset: QuerySet[AirtableConnection]) -> None:
        self._sync(request, queryset, AirtableSyncRun.Mode.FULL)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AirtableSyncRun)
class AirtableSyncRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "connection",
        "direction",
        "mode",
        "status",
        "records_read",
        "records_created",
        "records_updated",
        "records_skipped",
        "conflicts",
        "errors",
        "requests",
        "rate_limited",
        "duration_ms",
    ]
    list_filter = ["status", "direction", "mode", "trigger"]
    search_fields = ["connection__name", "connection__base_id", "connection__customer__name"]


@admin.register(AirtableRecordChange)
class AirtableRecordChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "run", "direction", "entity", "key", "action", "error"]
    list_filter = ["direction", "action", "entity"]
    search_fields = ["key", "airtable_record_id"]


@admin.register(AirtableConflict)
class AirtableConflictAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "connection", "entity", "key", "field", "rule", "winner", "reason", "resolved_by"]
    list_filter = ["winner", "rule", "entity"]
    search_fields = ["key", "field"]
    actions = ["keep_platform", "keep_airtable"]

    def _resolve(self, request: HttpRequest, queryset: QuerySet[AirtableConflict], winner: str) -> None:
        for conflict in queryset:
            try:
                services.airtable_conflict_resolve(conflict=conflict, winner=winner, user=request.user)  # type: ignore[arg-type]
            except ApplicationError as exc:
                self.message_user(request, f"{conflict}: {exc.message}", messages.WARNING)
        self.message_user(request, f"Kept the {winner} value; it goes to the other side now or at the next push.")

    @admin.action(description="Re-resolve: keep the platform value")
    def keep_platform(self, request: HttpRequest, queryset: QuerySet[AirtableConflict]) -> None:
        self._resolve(request, queryset, AirtableConflict.Winner.PLATFORM)

    @admin.action(description="Re-resolve: keep the Airtable value")
    def keep_airtable(self, request: HttpRequest, queryset: QuerySet[AirtableConflict]) -> None:
        self._resolve(request, queryset, AirtableConflict.Winner.AIRTABLE)
