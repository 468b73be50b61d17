from django.urls import path, re_path

from integrations.research.api import views

# The paths have no trailing slash; the platform's other routes do: both are accepted.
urlpatterns = [
    re_path(r"^screenshots/?$", views.ScreenshotCreateView.as_view(), name="research-screenshots"),
    re_path(
        r"^screenshots/(?P<screenshot_id>[0-9a-f-]{36})/?$",
        views.ScreenshotDetailView.as_view(),
        name="research-screenshot",
    ),
    re_path(r"^companies/?$", views.CompanyResearchView.as_view(), name="research-companies"),
    re_path(
        r"^companies/(?P<profile_id>[0-9a-f-]{36})/?$",
        views.CompanyProfileDetailView.as_view(),
        name="research-company",
    ),
    path("files/<str:token>/", views.ScreenshotFileView.as_view(), name="research-file"),
]
