from django.urls import path

from realtime.api import analytics, views

urlpatterns = [
    path("realtime/ticket/", views.TicketView.as_view(), name="realtime-ticket"),
    path("analytics/events", analytics.EventIngestView.as_view(), name="analytics-events"),
    path("analytics/dashboard", analytics.DashboardView.as_view(), name="analytics-dashboard"),
]
