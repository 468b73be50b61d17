"""Cached reads (Redis via django-redis) are invalidated by the services that change them."""

import pytest
from django.core.cache import cache

from assessments import cache as assessment_cache
from assessments.services.sessions import assessment_calculate
from tests.assessments.factories import CompletedSessionFactory
from tests.assessments.test_costs_api import INPUTS

calculate = "/api/v1/cost-calculator/calculate"


@pytest.mark.django_db(transaction=True)
def test_progress_write_is_visible_on_the_very_next_read(auth_client, user):
    before = auth_client.get("/api/v1/progress").json()
    assert before["completionPercentage"] == 0
    assert cache.get(assessment_cache.progress_key(user.customer_id)) is not None  # the read was cached

    assert auth_client.post(calculate, INPUTS).status_code == 200  # completes the cost milestone
    after = auth_client.get("/api/v1/progress").json()
    assert after["completionPercentage"] == 25
    assert after["nextMilestone"] == "initial_setup"


@pytest.mark.django_db(transaction=True)
def test_results_cache_is_refreshed_by_the_calculation(api_client):
    session = CompletedSessionFactory(answers=3)
    url = f"/api/v1/assessments/{session.session_id}/results"
    assert api_client.get(url).json()["calculationStatus"] == "pending"
    assert cache.get(assessment_cache.assessment_results_key(session.session_id)) is not None

    assessment_calculate(session_id=session.session_id)
    assert api_client.get(url).json()["calculationStatus"] == "done"


@pytest.mark.django_db
def test_templates_are_cached_and_filtered_by_type(auth_client):
    first = auth_client.get("/api/v1/business-case/templates")
    assert first.status_code == 200
    assert [t["type"] for t in first.json()["templates"]] == ["pilot", "full_implementation"]
    cached = cache.get(assessment_cache.business_case_templates_key(None))
    assert [t["type"] for t in cached] == ["pilot", "full_implementation"]

    full = auth_client.get("/api/v1/business-case/templates?type=full").json()["templates"]
    assert [(t["type"], t["duration"], t["investment"]) for t in full] == [
        ("full_implementation", "6-18 months", "$100,000-$500,000")
    ]
    bad = auth_client.get("/api/v1/business-case/templates?type=enterprise")
    assert bad.status_code == 400
    assert "type" in bad.json()["error"]["details"]
