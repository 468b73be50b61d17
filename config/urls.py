from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from platform_core import health
from platform_core.observability import health_page, scrape, statements

api_v1: list[URLPattern | URLResolver] = [
    path("", include("integrations.webhooks.api.urls")),  # first: webhook intake is the hottest route
    path("", include("platform_core.api.urls")),
    path("", include("exports.api.urls")),
    path("", include("realtime.api.urls")),
    path("", include("assessments.api.urls")),
    path("", include("assessments.api.ai_urls")),
    path("integrations/airtable/", include("integrations.airtable.api.urls")),
    path("research/", include("integrations.research.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", scrape.metrics_view, name="metrics"),
    path("api/v1/", include(api_v1)),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("admin/health/", health_page.health_page_view, name="admin-health"),
    path("admin/health/statements/", statements.statements_page_view, name="admin-statements"),
    path("admin/", admin.site.urls),
]

handler404 = "platform_core.api.errors.json_not_found"
handler500 = "platform_core.api.errors.json_server_error"
