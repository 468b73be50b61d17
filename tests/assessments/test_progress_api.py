"""Milestones (10/25/25/30/10) advanced by the services (server-side facts, progress_track); engagement
score. What browsers may send to POST /progress/track is in tests/security/test_progress.py: since
issue 13 those events never complete a milestone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.models import MilestoneCompletion, ProgressAction
from assessments.services.progress import progress_track
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


def test_server_side_facts_complete_milestones_once(auth_client, user):
    """profile_completed (10) + cost_calculated (25) + business_case_saved (30) = 65 %; estimate
    ceil(35*2) = 70 days; engagement 65*0.6 = 39 + 20 (just now) + 3*5 = 74."""
    for action in ("profile_completed", "cost_calculated", "cost_calculated", "business_case_saved"):
        progress_track(customer=user.customer, user=user, action=action)
    data = auth_client.get("/api/v1/progress").json()
    assert (data["completionPercentage"], data["estimatedDays"], data["engagementScore"]) == (65, 70, 74)
    assert data["nextMilestone"] == "icp_analysis"
    assert MilestoneCompletion.objects.filter(customer=user.customer).count() == 3
    # The repeated calculation changed nothing and an action was recorded moments ago: no row (issue 12).
    assert ProgressAction.objects.filter(customer=user.customer).count() == 3


def test_track_reports_what_it_triggered(auth_client, user):
    first = progress_track(customer=user.customer, action="content_exported", metadata={"format": "pdf"})
    assert first is not None and first.milestones_triggered == []  # exporting counts only after two others
    progress_track(customer=user.customer, action="customer_created")
    progress_track(customer=user.customer, action="ai_icp_generated")
    last = progress_track(customer=user.customer, action="results_delivered")
    assert last is not None and last.milestones_triggered == ["export_delivery"]
    assert auth_client.get("/api/v1/progress").json()["completionPercentage"] == 45  # 10 + 25 + 10


def test_engagement_recency_bonus_fades(auth_client, user):
    """One milestone (cost, 25 %) tracked 4 days ago: 25*0.6 = 15 + 5 (< 7 days) + 5 = 25."""
    progress_track(customer=user.customer, action="cost_calculated")
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


def test_progress_is_per_customer(auth_client, user):
    progress_track(customer=user.customer, action="business_case_generated")
    assert auth_client.get("/api/v1/progress").json()["completionPercentage"] == 30
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    assert stranger.get("/api/v1/progress").json()["completionPercentage"] == 0
