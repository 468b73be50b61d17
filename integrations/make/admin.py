from django.contrib import admin
from django.http import HttpRequest

from integrations.make.models import MakeExecution


@admin.register(MakeExecution)
class MakeExecutionAdmin(admin.ModelAdmin):
    list_display = ["id", "scenario", "customer", "status", "sent_at", "acknowledged_at", "completed_at"]
    list_filter = ["status", "scenario"]
    search_fields = ["id", "customer__name"]
    list_select_related = ["customer"]
    readonly_fields = [f.name for f in MakeExecution._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
