"""The staff analytics dashboard: Admin > Realtime > Analytics (the rollups' changelist)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from realtime.analytics.charts import bar_chart
from realtime.analytics.selectors import staff_dashboard
from realtime.models import AnalyticsRollup

CHART_DAYS = 30


@admin.register(AnalyticsRollup)
class AnalyticsDashboardAdmin(admin.ModelAdmin):
    """Charts of the platform's usage per day, updated live over the staff socket."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        data = staff_dashboard(days=CHART_DAYS)
        days = data["days"]
        charts = [
            bar_chart(key="active_users", title="Active users", days=days, values=data["active_users"]),
            bar_chart(key="active_customers", title="Active customers", days=days, values=data["active_customers"]),
        ]
        charts += [
            bar_chart(key=type_, title=type_, days=days, values=values, color="#79aec8")
            for type_, values in data["series"].items()
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Analytics",
            "data": data,
            "charts": charts,
            "ws_url": settings.ANALYTICS_DASHBOARD_WS_URL,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/analytics/dashboard.html", context)
