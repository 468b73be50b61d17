from django.urls import path

from platform_core.api import jobs, security, views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/verify-email/", views.EmailVerifyView.as_view(), name="auth-verify-email"),
    path("auth/token/", security.LoginView.as_view(), name="auth-token"),
    path("auth/token/refresh/", security.RefreshView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/me/", views.MeView.as_view(), name="auth-me"),
    path("users/", views.TeamMemberListView.as_view(), name="user-list"),
    path("users/<int:user_id>/", views.TeamMemberDetailView.as_view(), name="user-detail"),
    path("jobs/", jobs.JobListView.as_view(), name="job-list"),
    path("jobs/<uuid:job_id>/", jobs.JobDetailView.as_view(), name="job-detail"),
    path("jobs/<uuid:job_id>/cancel/", jobs.JobCancelView.as_view(), name="job-cancel"),
    path("auth/sessions/", security.SessionListView.as_view(), name="session-list"),
    path("auth/sessions/revoke-all/", security.SessionRevokeAllView.as_view(), name="session-revoke-all"),
    path("auth/sessions/<uuid:session_id>/", security.SessionDetailView.as_view(), name="session-detail"),
    path("api-keys/", security.ApiKeyListView.as_view(), name="api-key-list"),
    path("api-keys/<str:prefix>/", security.ApiKeyDetailView.as_view(), name="api-key-detail"),
    path("team/members/", security.MemberListView.as_view(), name="team-member-list"),
    path("team/members/<int:member_id>/", security.MemberDetailView.as_view(), name="team-member-detail"),
    path("team/invitations/", security.InvitationListView.as_view(), name="team-invitation-list"),
    path("team/invitations/accept/", security.InvitationAcceptView.as_view(), name="team-invitation-accept"),
    path(
        "team/invitations/<uuid:invitation_id>/",
        security.InvitationDetailView.as_view(),
        name="team-invitation-detail",
    ),
    path("audit-events/", security.AuditEventListView.as_view(), name="audit-event-list"),
]
