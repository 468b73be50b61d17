"""Issue 13 items 11 and 12: no canned AI answers in production, and the AI answer cache is per customer
(integrations.ai.gateway)."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from assessments.models import AssessmentSession
from integrations.ai.gateway import ai_complete
from integrations.ai.types import AIRequest
from platform_core.exceptions import ApplicationError
from platform_core.models import Job
from tests.platform_core.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def request_for(customer_id: int | None) -> AIRequest:
    return AIRequest(
        operation="icp", system="You answer in JSON.", messages=[{"role": "user", "content": "Same question"}],
        max_tokens=200, customer_id=customer_id,
    )  # fmt: skip


def test_without_keys_production_answers_ai_unavailable_and_never_offline(settings):
    settings.OPENAI_API_KEY = settings.ANTHROPIC_API_KEY = ""
    settings.AI_OFFLINE_ALLOWED = False  # DJANGO_ENV=production's default

    with pytest.raises(ApplicationError) as refused:
        ai_complete(request_for(None))

    assert (refused.value.code, refused.value.status_code) == ("ai_unavailable", 503)


def test_without_keys_development_answers_offline_and_says_so(settings):
    settings.OPENAI_API_KEY = settings.ANTHROPIC_API_KEY = ""
    settings.AI_OFFLINE_ALLOWED = True
    assert ai_complete(request_for(None)).provider == "offline"


def test_a_cached_answer_is_not_served_to_another_customer(ai_providers):
    fake_openai_server, _ = ai_providers
    first, second = CustomerFactory(), CustomerFactory()
    ai_complete(request_for(first.pk))
    assert ai_complete(request_for(first.pk)).cached
    assert not ai_complete(request_for(second.pk)).cached
    assert fake_openai_server.calls == 2


def test_anonymous_quiz_insights_are_not_charged_to_the_customer_the_session_was_linked_to(settings):
    settings.OPENAI_API_KEY = settings.ANTHROPIC_API_KEY = ""
    customer: Any = CustomerFactory()
    session = AssessmentSession.objects.create(session_id="assess_1_linked", customer=customer)
    responses = [{"questionId": f"q{i}", "questionText": f"Question {i}", "response": 1 + i % 4} for i in range(1, 8)]

    response = APIClient().post(
        f"/api/v1/assessments/{session.session_id}/insights", {"responses": responses}, format="json"
    )

    assert response.status_code == 202, response.content
    assert Job.objects.get(pk=response.json()["jobId"]).customer_id is None
