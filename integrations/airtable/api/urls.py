from django.urls import path

from integrations.airtable.api import views

urlpatterns = [
    path("connections/", views.ConnectionListView.as_view(), name="airtable-connection-list"),
    path("connections/<uuid:connection_id>/", views.ConnectionDetailView.as_view(), name="airtable-connection-detail"),
    path(
        "connections/<uuid:connection_id>/check/", views.ConnectionCheckView.as_view(), name="airtable-connection-check"
    ),
    path("connections/<uuid:connection_id>/sync/", views.ConnectionSyncView.as_view(), name="airtable-connection-sync"),
    path("connections/<uuid:connection_id>/runs/", views.RunListView.as_view(), name="airtable-run-list"),
    path(
        "connections/<uuid:connection_id>/conflicts/", views.ConflictListView.as_view(), name="airtable-conflict-list"
    ),
    path("runs/<uuid:run_id>/", views.RunDetailView.as_view(), name="airtable-run-detail"),
    path("runs/<uuid:run_id>/changes/", views.RunChangeListView.as_view(), name="airtable-run-changes"),
]
