from django.urls import path, re_path

from exports.api import views

urlpatterns = [
    path("exports/", views.ExportListCreateView.as_view(), name="export-list"),
    path("exports/documents/", views.DocumentTypeListView.as_view(), name="export-documents"),
    path("exports/branding/", views.BrandingView.as_view(), name="export-branding"),
    path("exports/files/<str:token>/", views.ExportFileView.as_view(), name="export-file"),
    path("exports/<uuid:export_id>/", views.ExportDetailView.as_view(), name="export-detail"),
    re_path(
        r"^exports/(?P<export_id>[0-9a-f-]{36})/download/?$", views.ExportDownloadView.as_view(), name="export-download"
    ),
]
