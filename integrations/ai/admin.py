from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from integrations.ai.models import AIBudget, AIUsage, AIUsageDaily
from integrations.ai.selectors import ai_usage_summary


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AIUsage)
class AIUsageAdmin(ReadOnlyAdmin):
    """The ledger, headed by today's and this month's totals, per customer and top users."""

    change_list_template = "admin/ai/aiusage/change_list.html"
    list_display = ["created_at", "operation", "provider", "model", "customer", "user", "input_tokens",
                    "output_tokens", "cost_usd", "duration_ms", "success", "cached"]  # fmt: skip
    list_filter = ["provider", "model", "operation", "success", "cached"]
    search_fields = ["customer__name", "user__email", "operation"]
    list_select_related = ["customer", "user"]
    date_hierarchy = "created_at"

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        summary = ai_usage_summary()
        summary["periods"] = [("Today", summary["today"]), ("This month", summary["month"])]
        return super().changelist_view(request, {**(extra_context or {}), "summary": summary})


@admin.register(AIUsageDaily)
class AIUsageDailyAdmin(ReadOnlyAdmin):
    list_display = ["date", "customer", "provider", "model", "calls", "failures", "cached_calls", "input_tokens",
                    "output_tokens", "cost_usd"]  # fmt: skip
    list_filter = ["provider", "model"]
    search_fields = ["customer__name", "model"]
    date_hierarchy = "date"
    list_select_related = ["customer"]


@admin.register(AIBudget)
class AIBudgetAdmin(admin.ModelAdmin):
    list_display = ["customer", "monthly_limit_usd", "updated_at"]
    search_fields = ["customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    readonly_fields = ["updated_at"]
