from django.urls import URLPattern, URLResolver, include, path

from assessments.api import ai_views as v

# One entry per first path segment: config/urls.py splices these into /api/v1/, where a request
# tries each prefix once instead of every route of every app (issue 12). jobs/ and assessments/
# also have entries in platform_core's and assessments' urls, tried first.
urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "jobs/",
        include(
            [
                path("generate-icp", v.GenerateIcpJobView.as_view(), name="job-generate-icp"),
                path("personas", v.PersonasJobView.as_view(), name="job-personas"),
                path("rate-company", v.RateCompanyJobView.as_view(), name="job-rate-company"),
                path("rate-batch", v.RateBatchJobView.as_view(), name="job-rate-batch"),
            ]
        ),
    ),
    path("assessments/<str:session_id>/insights", v.AssessmentInsightsView.as_view(), name="assessment-insights"),
    path(
        "icp-analyses/",
        include(
            [
                path("", v.IcpAnalysisListView.as_view(), name="icp-analysis-list"),
                path("<int:pk>/", v.IcpAnalysisDetailView.as_view(), name="icp-analysis-detail"),
            ]
        ),
    ),
    path(
        "persona-sets/",
        include(
            [
                path("", v.PersonaSetListView.as_view(), name="persona-set-list"),
                path("<int:pk>/", v.PersonaSetDetailView.as_view(), name="persona-set-detail"),
            ]
        ),
    ),
    path(
        "company-ratings/",
        include(
            [
                path("", v.CompanyRatingListView.as_view(), name="company-rating-list"),
                path("<int:pk>/", v.CompanyRatingDetailView.as_view(), name="company-rating-detail"),
            ]
        ),
    ),
    path(
        "resources/",
        include(
            [
                path("", v.ResourceLibraryView.as_view(), name="resource-list"),
                path("<slug:code>/generate", v.ResourceGenerateView.as_view(), name="resource-generate"),
                path("<slug:code>/", v.GeneratedResourceView.as_view(), name="resource-detail"),
            ]
        ),
    ),
]
