from django.urls import path

from integrations.webhooks.api import views

urlpatterns = [
    path("webhooks/<slug:source>/", views.inbound_webhook_view, name="inbound-webhook"),
    path("webhook-endpoints/", views.WebhookEndpointListView.as_view(), name="webhook-endpoint-list"),
    path(
        "webhook-endpoints/<uuid:endpoint_id>/",
        views.WebhookEndpointDetailView.as_view(),
        name="webhook-endpoint-detail",
    ),
    path(
        "webhook-endpoints/<uuid:endpoint_id>/deliveries/",
        views.WebhookDeliveryListView.as_view(),
        name="webhook-endpoint-deliveries",
    ),
]
