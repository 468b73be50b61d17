"""Milestones (10/25/25/30/10) advanced by the services and by POST /progress/track; engagement score."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.models import MilestoneCompletion, ProgressAction
from tests.platform_core.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_fresh_customer_has_no_progress(auth_client):
    data = auth_client.get("/api/v1/progress").json()
    assert (data["completionPercentage"], data["completedMilestones"], data["totalMilestones"]) == (0, 0, 5)
    assert data["estimatedDays"] == 200
    assert data["nextMilestone"] == "initial_setup"
    assert data["engagementScore"] == 0
    assert [(m["id"], m["weight"]) for m in data["milestones"]] == [
        ("initial_setup", 10), ("icp_analysis", 25), ("cost_calculation", 25), ("business_case", 30),
        ("export_delivery", 10),
    ]  # fmt: skip


def test_tracked_actions_complete_milestones_once(auth_client, user):
    """profile_completed (10) + cost_calculated (25) + business_case_saved (30) = 65 %; estimate
    ceil(35*2) = 70 days; engagement 65*0.6 = 39 + 20 (just now) + 3*5 = 74."""
    for action in ("profile_completed", "cost_calculated", "cost_calculated", "business_case_saved"):
        assert auth_client.post("/api/v1/progress/track", {"action": action}).status_code == 201
    data = auth_client.get("/api/v1/progress").json()
    assert (data["completionPercentage"], data["estimatedDays"], data["engagementScore"]) == (65, 70, 74)
    assert data["nextMilestone"] == "icp_analysis"
    assert MilestoneCompletion.objects.filter(customer=user.customer).count() == 3
    assert ProgressAction.objects.filter(customer=user.customer).count() == 4


def test_track_reports_what_it_triggered(auth_client):
    first = auth_client.post("/api/v1/progress/track", {"action": "content_exported", "metadata": {"format": "pdf"}})
    assert first.json()["milestonesTriggered"] == []  # exporting counts only after two other milestones
    auth_client.post("/api/v1/progress/track", {"action": "customer_created"})
    auth_client.post("/api/v1/progress/track", {"action": "ai_icp_generated"})
    last = auth_client.post("/api/v1/progress/track", {"action": "results_delivered"}).json()
    assert last["milestonesTriggered"] == ["export_delivery"]
    assert last["progress"]["completionPercentage"] == 45  # 10 + 25 + 10


def test_engagement_recency_bonus_fades(auth_client, user):
    """One milestone (cost, 25 %) tracked 4 days ago: 25*0.6 = 15 + 5 (< 7 days) + 5 = 25."""
    auth_client.post("/api/v1/progress/track", {"action": "cost_calculated"})
    ProgressAction.objects.update(created_at=timezone.now() - timedelta(days=4))
    from django.core.cache import cache

    cache.clear()  # the row was aged behind the service's back
    assert auth_client.get("/api/v1/progress").json()["engagementScore"] == 25


@pytest.mark.parametrize("action", ["x", "y" * 101, ""])
def test_invalid_action_is_a_400_and_nothing_saved(auth_client, action):
    response = auth_client.post("/api/v1/progress/track", {"action": action})
    assert response.status_code == 400
    assert "action" in response.json()["error"]["details"]
    assert not ProgressAction.objects.exists()


def test_progress_is_per_customer(auth_client):
    auth_client.post("/api/v1/progress/track", {"action": "business_case_generated"})
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    assert stranger.get("/api/v1/progress").json()["completionPercentage"] == 0
