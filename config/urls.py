from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from assessments.api import ai_urls as assessment_ai_urls
from assessments.api import urls as assessment_urls
from exports.api import urls as export_urls
from integrations.webhooks.api import urls as webhook_urls
from platform_core import health
from platform_core.api import urls as platform_urls
from platform_core.observability import health_page, scrape, statements
from realtime.api import urls as realtime_urls

# Each app's urlpatterns are one entry per first path segment, spliced in here: a request tries a
# few prefixes instead of every route of every app in turn (an empty-prefix include each was ~5% of
# a request's CPU, issue 12). The public paths are unchanged (docs/openapi.yaml).
api_v1: list[URLPattern | URLResolver] = [
    *webhook_urls.urlpatterns,  # first: webhook intake is the hottest route
    *platform_urls.urlpatterns,
    *export_urls.urlpatterns,
    *realtime_urls.urlpatterns,
    *assessment_urls.urlpatterns,
    *assessment_ai_urls.urlpatterns,
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
