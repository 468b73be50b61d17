from django.urls import URLPattern, URLResolver, include, path

from integrations.webhooks.api import views

# One entry per first path segment: config/urls.py splices these into /api/v1/, where a request
# tries each prefix once instead of every route of every app (issue 12).
urlpatterns: list[URLPattern | URLResolver] = [
    path("webhooks/<slug:source>/", views.inbound_webhook_view, name="inbound-webhook"),
    path(
        "webhook-endpoints/",
        include(
            [
                path("", views.WebhookEndpointListView.as_view(), name="webhook-endpoint-list"),
                path("<uuid:endpoint_id>/", views.WebhookEndpointDetailView.as_view(), name="webhook-endpoint-detail"),
                path(
                    "<uuid:endpoint_id>/deliveries/",
                    views.WebhookDeliveryListView.as_view(),
                    name="webhook-endpoint-deliveries",
                ),
            ]
        ),
    ),
]
