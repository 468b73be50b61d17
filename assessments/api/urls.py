from django.urls import URLPattern, URLResolver, include, path

from assessments.api import views

# One entry per first path segment: config/urls.py splices these into /api/v1/, where a request
# tries each prefix once instead of every route of every app (issue 12).
assessment_patterns = [
    path("start", views.AssessmentStartView.as_view(), name="assessment-start"),
    path("submit", views.AssessmentSubmitView.as_view(), name="assessment-submit"),
    path("claim", views.AssessmentClaimView.as_view(), name="assessment-claim"),
    path("", views.AssessmentListView.as_view(), name="assessment-list"),
    path("<str:session_id>/", views.AssessmentDetailView.as_view(), name="assessment-detail"),
    path("<str:session_id>/results", views.AssessmentResultsView.as_view(), name="assessment-results"),
    path("<str:session_id>/claim-token", views.AssessmentClaimTokenView.as_view(), name="assessment-claim-token"),
]
product_patterns = [
    path("", views.ProductListCreateView.as_view(), name="product-list"),
    path("primary/", views.ProductPrimaryView.as_view(), name="product-primary"),
    path("<int:product_id>/", views.ProductDetailView.as_view(), name="product-detail"),
]
cost_patterns = [
    path("calculate", views.CostCalculateView.as_view(), name="cost-calculate"),
    path("save", views.CostSaveView.as_view(), name="cost-save"),
    path("history", views.CostHistoryView.as_view(), name="cost-history"),
    path("history/<int:calculation_id>/", views.CostDetailView.as_view(), name="cost-detail"),
    path("compare", views.CostCompareView.as_view(), name="cost-compare"),
]
business_case_patterns = [
    path("templates", views.BusinessCaseTemplatesView.as_view(), name="business-case-templates"),
    path("generate", views.BusinessCaseGenerateView.as_view(), name="business-case-generate"),
    path("generate-simple", views.BusinessCaseGenerateSimpleView.as_view(), name="business-case-generate-simple"),
    path("", views.BusinessCaseListView.as_view(), name="business-case-list"),
    path("<int:business_case_id>/", views.BusinessCaseDetailView.as_view(), name="business-case-detail"),
    path("<int:business_case_id>/save", views.BusinessCaseSaveView.as_view(), name="business-case-save"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("assessments/", include(assessment_patterns)),
    path("products/", include(product_patterns)),
    path("cost-calculator/", include(cost_patterns)),
    path("business-case/", include(business_case_patterns)),
    path("progress", views.ProgressView.as_view(), name="progress"),
    path("progress/track", views.ProgressTrackView.as_view(), name="progress-track"),
    path("search", views.SearchView.as_view(), name="search"),
]
