"""Issue 13 item 7 and issue 12: milestones complete only from server-side facts; browser events come
from a catalogue, are small and rate-limited (assessments.services.progress); a repeated calculation
writes nothing."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import MilestoneCompletion, ProgressAction
from assessments.services.progress import CLIENT_EVENTS
from tests.assessments.test_costs_api import INPUTS
from tests.platform_core.factories import UserFactory
from tests.platform_core.security_support import bearer, error_code, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return bearer(login(UserFactory().email)["access"])


def track(client, action, metadata=None):
    body = {"action": action, **({"metadata": metadata} if metadata is not None else {})}
    return client.post("/api/v1/progress/track", body, format="json")


def test_client_events_never_complete_milestones(client):
    # Every trigger name of every milestone, as the attack sent them: none is accepted.
    for action in ("profile_completed", "ai_icp_generated", "cost_calculated", "business_case_saved"):
        response = track(client, action)
        assert response.status_code == 400 and error_code(response) == "unknown_action"
    for action in sorted(CLIENT_EVENTS):
        response = track(client, action)
        assert response.status_code == 201, response.content
        assert response.json()["milestonesTriggered"] == []
    assert client.get("/api/v1/progress").json()["completionPercentage"] == 0
    assert not MilestoneCompletion.objects.exists()


def test_metadata_is_small_and_flat(client):
    big = track(client, "dashboard_viewed", {"blob": "x" * 1_000_000})
    nested = track(client, "dashboard_viewed", {"a": {"b": 1}})
    many = track(client, "dashboard_viewed", {f"k{i}": i for i in range(50)})
    for response in (big, nested, many):
        assert response.status_code == 400 and error_code(response) == "invalid_metadata"
    assert not ProgressAction.objects.exists()
    assert track(client, "resource_viewed", {"code": "icp-1", "seconds": 12}).status_code == 201


def test_client_events_are_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "progress_track": "3/15m"}
    codes = [track(client, "dashboard_viewed").status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]


def test_a_calculation_completes_its_milestone_and_a_repeat_writes_nothing(client):
    first = client.post("/api/v1/cost-calculator/calculate", INPUTS, format="json")
    assert first.status_code == 200
    assert list(MilestoneCompletion.objects.values_list("milestone", flat=True)) == ["cost_calculation"]
    client.post("/api/v1/cost-calculator/calculate", INPUTS, format="json")  # refills the progress cache

    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert client.post("/api/v1/cost-calculator/calculate", INPUTS, format="json").status_code == 200

    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert writes == [] and locks == [], json.dumps(writes + locks)
    assert ProgressAction.objects.count() == 1
