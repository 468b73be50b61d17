from django.urls import URLPattern, URLResolver, include, path

from platform_core.api import jobs, security, views

# One entry per first path segment: config/urls.py splices these into /api/v1/, where a request
# tries each prefix once instead of every route of every app (issue 12).
auth_patterns = [
    path("register/", views.RegisterView.as_view(), name="auth-register"),
    path("verify-email/", views.EmailVerifyView.as_view(), name="auth-verify-email"),
    path("token/", security.LoginView.as_view(), name="auth-token"),
    path("token/refresh/", security.RefreshView.as_view(), name="auth-token-refresh"),
    path("logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("me/", views.MeView.as_view(), name="auth-me"),
    path("sessions/", security.SessionListView.as_view(), name="session-list"),
    path("sessions/revoke-all/", security.SessionRevokeAllView.as_view(), name="session-revoke-all"),
    path("sessions/<uuid:session_id>/", security.SessionDetailView.as_view(), name="session-detail"),
]
user_patterns = [
    path("", views.TeamMemberListView.as_view(), name="user-list"),
    path("<int:user_id>/", views.TeamMemberDetailView.as_view(), name="user-detail"),
]
job_patterns = [
    path("", jobs.JobListView.as_view(), name="job-list"),
    path("<uuid:job_id>/", jobs.JobDetailView.as_view(), name="job-detail"),
    path("<uuid:job_id>/cancel/", jobs.JobCancelView.as_view(), name="job-cancel"),
]
api_key_patterns = [
    path("", security.ApiKeyListView.as_view(), name="api-key-list"),
    path("<str:prefix>/", security.ApiKeyDetailView.as_view(), name="api-key-detail"),
]
team_patterns = [
    path("members/", security.MemberListView.as_view(), name="team-member-list"),
    path("members/<int:member_id>/", security.MemberDetailView.as_view(), name="team-member-detail"),
    path("invitations/", security.InvitationListView.as_view(), name="team-invitation-list"),
    path("invitations/accept/", security.InvitationAcceptView.as_view(), name="team-invitation-accept"),
    path(
        "invitations/<uuid:invitation_id>/",
        security.InvitationDetailView.as_view(),
        name="team-invitation-detail",
    ),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/", include(auth_patterns)),
    path("users/", include(user_patterns)),
    path("jobs/", include(job_patterns)),
    path("api-keys/", include(api_key_patterns)),
    path("team/", include(team_patterns)),
    path("audit-events/", security.AuditEventListView.as_view(), name="audit-event-list"),
]
