from django.urls import URLPattern, URLResolver, include, path, re_path

from exports.api import views

# One entry per first path segment: config/urls.py splices these into /api/v1/, where a request
# tries each prefix once instead of every route of every app (issue 12).
export_patterns = [
    path("", views.ExportListCreateView.as_view(), name="export-list"),
    path("documents/", views.DocumentTypeListView.as_view(), name="export-documents"),
    path("branding/", views.BrandingView.as_view(), name="export-branding"),
    path("files/<str:token>/", views.ExportFileView.as_view(), name="export-file"),
    path("<uuid:export_id>/", views.ExportDetailView.as_view(), name="export-detail"),
    re_path(r"^(?P<export_id>[0-9a-f-]{36})/download/?$", views.ExportDownloadView.as_view(), name="export-download"),
]

urlpatterns: list[URLPattern | URLResolver] = [path("exports/", include(export_patterns))]
