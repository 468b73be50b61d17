"""Issue 13 item 3: knowing an assessment's session id no longer yields its claim token. The proof is
a secret answered only to the call that created the session (assessments.services.sessions)."""

import uuid

import pytest
from rest_framework.test import APIClient

from assessments.models import AssessmentClaimToken, AssessmentSession

pytestmark = pytest.mark.django_db

ANSWERS = {f"q{i}": 1 + i % 4 for i in range(1, 15)}


def start_and_submit(client: APIClient) -> tuple[str, str]:
    session_id = f"assess_1732600000000_{uuid.uuid4().hex[:9]}"
    started = client.post("/api/v1/assessments/start", {"sessionId": session_id}, format="json")
    assert started.status_code == 201, started.content
    secret = started.json()["claimSecret"]
    submitted = client.post("/api/v1/assessments/submit", {
        "sessionId": session_id, "responses": ANSWERS,
        "userInfo": {"email": "dana@acme.example", "company": "Acme"},
    }, format="json")  # fmt: skip
    assert submitted.status_code == 202 and "claimSecret" not in submitted.json()
    return session_id, secret


def test_only_the_browser_that_started_the_session_gets_the_token():
    browser, attacker = APIClient(), APIClient()
    session_id, secret = start_and_submit(browser)
    url = f"/api/v1/assessments/{session_id}/claim-token"

    # A retried start with the same id (anyone's) does not learn the secret.
    again = attacker.post("/api/v1/assessments/start", {"sessionId": session_id}, format="json")
    assert "claimSecret" not in again.json()
    # Without the secret: the token goes to the respondent's mailbox, never into the answer.
    anonymous = attacker.post(url)
    assert anonymous.status_code == 202 and anonymous.json()["delivered"] == "email"
    assert "token" not in anonymous.json()
    wrong = attacker.post(url, HTTP_X_ASSESSMENT_SECRET="guess")
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "claim_secret_invalid"

    proven = browser.post(url, {"secret": secret}, format="json")
    assert proven.status_code == 201 and proven.json()["token"]
    assert AssessmentClaimToken.objects.count() == 2  # one e-mailed, one answered


def test_a_session_without_an_address_or_secret_gives_no_token_at_all():
    session_id = f"assess_1732600000000_{uuid.uuid4().hex[:9]}"
    APIClient().post("/api/v1/assessments/submit", {
        "sessionId": session_id, "responses": ANSWERS, "userInfo": {"email": "x@acme.example", "company": "A"},
    }, format="json")  # fmt: skip
    AssessmentSession.objects.filter(session_id=session_id).update(user_email="")
    response = APIClient().post(f"/api/v1/assessments/{session_id}/claim-token")
    assert response.status_code == 403 and response.json()["error"]["code"] == "claim_proof_required"
