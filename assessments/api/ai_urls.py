from django.urls import path

from assessments.api import ai_views as v

urlpatterns = [
    path("jobs/generate-icp", v.GenerateIcpJobView.as_view(), name="job-generate-icp"),
    path("jobs/personas", v.PersonasJobView.as_view(), name="job-personas"),
    path("jobs/rate-company", v.RateCompanyJobView.as_view(), name="job-rate-company"),
    path("jobs/rate-batch", v.RateBatchJobView.as_view(), name="job-rate-batch"),
    path("assessments/<str:session_id>/insights", v.AssessmentInsightsView.as_view(), name="assessment-insights"),
    path("icp-analyses/", v.IcpAnalysisListView.as_view(), name="icp-analysis-list"),
    path("icp-analyses/<int:pk>/", v.IcpAnalysisDetailView.as_view(), name="icp-analysis-detail"),
    path("persona-sets/", v.PersonaSetListView.as_view(), name="persona-set-list"),
    path("persona-sets/<int:pk>/", v.PersonaSetDetailView.as_view(), name="persona-set-detail"),
    path("company-ratings/", v.CompanyRatingListView.as_view(), name="company-rating-list"),
    path("company-ratings/<int:pk>/", v.CompanyRatingDetailView.as_view(), name="company-rating-detail"),
    path("resources/", v.ResourceLibraryView.as_view(), name="resource-list"),
    path("resources/<slug:code>/generate", v.ResourceGenerateView.as_view(), name="resource-generate"),
    path("resources/<slug:code>/", v.GeneratedResourceView.as_view(), name="resource-detail"),
]
