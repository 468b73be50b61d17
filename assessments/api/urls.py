from django.urls import path

from assessments.api import views

urlpatterns = [
    path("assessments/start", views.AssessmentStartView.as_view(), name="assessment-start"),
    path("assessments/submit", views.AssessmentSubmitView.as_view(), name="assessment-submit"),
    path("assessments/claim", views.AssessmentClaimView.as_view(), name="assessment-claim"),
    path("assessments/", views.AssessmentListView.as_view(), name="assessment-list"),
    path("assessments/<str:session_id>/", views.AssessmentDetailView.as_view(), name="assessment-detail"),
    path("assessments/<str:session_id>/results", views.AssessmentResultsView.as_view(), name="assessment-results"),
    path(
        "assessments/<str:session_id>/claim-token",
        views.AssessmentClaimTokenView.as_view(),
        name="assessment-claim-token",
    ),
    path("products/", views.ProductListCreateView.as_view(), name="product-list"),
    path("products/primary/", views.ProductPrimaryView.as_view(), name="product-primary"),
    path("products/<int:product_id>/", views.ProductDetailView.as_view(), name="product-detail"),
    path("cost-calculator/calculate", views.CostCalculateView.as_view(), name="cost-calculate"),
    path("cost-calculator/save", views.CostSaveView.as_view(), name="cost-save"),
    path("cost-calculator/history", views.CostHistoryView.as_view(), name="cost-history"),
    path("cost-calculator/history/<int:calculation_id>/", views.CostDetailView.as_view(), name="cost-detail"),
    path("cost-calculator/compare", views.CostCompareView.as_view(), name="cost-compare"),
    path("business-case/templates", views.BusinessCaseTemplatesView.as_view(), name="business-case-templates"),
    path("business-case/generate", views.BusinessCaseGenerateView.as_view(), name="business-case-generate"),
    path(
        "business-case/generate-simple",
        views.BusinessCaseGenerateSimpleView.as_view(),
        name="business-case-generate-simple",
    ),
    path("business-case/", views.BusinessCaseListView.as_view(), name="business-case-list"),
    path("business-case/<int:business_case_id>/", views.BusinessCaseDetailView.as_view(), name="business-case-detail"),
    path("business-case/<int:business_case_id>/save", views.BusinessCaseSaveView.as_view(), name="business-case-save"),
    path("progress", views.ProgressView.as_view(), name="progress"),
    path("progress/track", views.ProgressTrackView.as_view(), name="progress-track"),
    path("search", views.SearchView.as_view(), name="search"),
]
