from django.urls import path
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from platform_core.api import jobs, views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", TokenObtainPairView.as_view(), name="auth-token"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/me/", views.MeView.as_view(), name="auth-me"),
    path("users/", views.TeamMemberListView.as_view(), name="user-list"),
    path("users/<int:user_id>/", views.TeamMemberDetailView.as_view(), name="user-detail"),
    path("jobs/", jobs.JobListView.as_view(), name="job-list"),
    path("jobs/<uuid:job_id>/", jobs.JobDetailView.as_view(), name="job-detail"),
    path("jobs/<uuid:job_id>/cancel/", jobs.JobCancelView.as_view(), name="job-cancel"),
]
