from django.urls import URLPattern, URLResolver, include, path

from realtime.api import analytics, views

# One entry per first path segment: config/urls.py splices these into /api/v1/, where a request
# tries each prefix once instead of every route of every app (issue 12).
urlpatterns: list[URLPattern | URLResolver] = [
    path("realtime/ticket/", views.TicketView.as_view(), name="realtime-ticket"),
    path(
        "analytics/",
        include(
            [
                path("events", analytics.EventIngestView.as_view(), name="analytics-events"),
                path("dashboard", analytics.DashboardView.as_view(), name="analytics-dashboard"),
            ]
        ),
    ),
]
