"""Claim tokens (signed, 24 h, single use) and linking by the e-mail of a new account."""

import threading
from datetime import timedelta

import pytest
from django.core import signing
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.models import AssessmentClaimToken, AssessmentSession
from tests.assessments.factories import BROWSER_SECRET, CompletedSessionFactory
from tests.platform_core.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def claim_token(api_client, session) -> str:
    """As the browser that took the assessment: it holds the session's claim secret."""
    response = api_client.post(
        f"/api/v1/assessments/{session.session_id}/claim-token", HTTP_X_ASSESSMENT_SECRET=BROWSER_SECRET
    )
    assert response.status_code == 201, response.json()
    return response.json()["token"]


def test_a_token_links_the_session_to_the_callers_customer_once(api_client, auth_client, user):
    session = CompletedSessionFactory(answers=4)
    token = claim_token(api_client, session)

    response = auth_client.post("/api/v1/assessments/claim", {"token": token})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "linked"
    assert response.json()["overallScore"] == 100
    session.refresh_from_db()
    assert (session.status, session.customer_id, session.user_id) == ("linked", user.customer_id, user.pk)

    again = auth_client.post("/api/v1/assessments/claim", {"token": token})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "token_used"


def test_a_session_cannot_be_linked_to_two_customers(api_client):
    session = CompletedSessionFactory()
    first, second = claim_token(api_client, session), claim_token(api_client, session)
    alice, mallory = UserFactory(), UserFactory()
    assert client_for(alice).post("/api/v1/assessments/claim", {"token": first}).status_code == 200

    response = client_for(mallory).post("/api/v1/assessments/claim", {"token": second})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "assessment_already_claimed"
    session.refresh_from_db()
    assert session.customer_id == alice.customer_id
    assert AssessmentClaimToken.objects.get(session_id=session.pk, used_at__isnull=False).used_by == alice
    # And no new token is handed out for a linked session.
    again = api_client.post(
        f"/api/v1/assessments/{session.session_id}/claim-token", HTTP_X_ASSESSMENT_SECRET=BROWSER_SECRET
    )
    assert again.status_code == 409


def test_an_expired_token_is_refused(api_client, auth_client):
    session = CompletedSessionFactory()
    token = claim_token(api_client, session)
    AssessmentClaimToken.objects.update(
        created_at=timezone.now() - timedelta(hours=25), expires_at=timezone.now() - timedelta(hours=1)
    )
    response = auth_client.post("/api/v1/assessments/claim", {"token": token})
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "token_expired"
    assert AssessmentSession.objects.get().status == "completed_awaiting_signup"


def test_a_token_older_than_24_hours_by_its_signature_is_refused(api_client, auth_client, settings):
    """The signature carries its own timestamp: a token signed 25 h ago fails even if its row says otherwise."""
    session = CompletedSessionFactory()
    claim_token(api_client, session)
    row = AssessmentClaimToken.objects.get()
    signer = signing.TimestampSigner(salt="assessments.claim-token")
    signer.timestamp = lambda: signing.b62_encode(int((timezone.now() - timedelta(hours=25)).timestamp()))  # type: ignore[method-assign]
    old = signer.sign_object({"jti": str(row.jti), "type": "assessment_claim"})
    response = auth_client.post("/api/v1/assessments/claim", {"token": old})
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "token_expired"


@pytest.mark.parametrize("token", ["garbage", signing.dumps({"jti": "x"}, salt="other-salt")])
def test_a_forged_or_malformed_token_is_refused(auth_client, token):
    response = auth_client.post("/api/v1/assessments/claim", {"token": token})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "token_invalid"


def test_claiming_needs_a_login(api_client):
    session = CompletedSessionFactory()
    token = claim_token(api_client, session)
    assert api_client.post("/api/v1/assessments/claim", {"token": token}).status_code == 401


def test_no_token_for_an_unsubmitted_or_unknown_session(api_client):
    AssessmentSession.objects.create(session_id="assess_open_session_1")
    assert api_client.post("/api/v1/assessments/assess_open_session_1/claim-token").json()["error"]["code"] == (
        "assessment_not_completed"
    )
    assert api_client.post("/api/v1/assessments/assess_no_such_thing/claim-token").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_customers_claiming_at_once_cannot_both_win(api_client):
    """Two tokens for one session, redeemed at the same moment by two customers: row locks let one win."""
    session = CompletedSessionFactory()
    tokens = [claim_token(api_client, session), claim_token(api_client, session)]
    users = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def claim(user, token):
        try:
            barrier.wait()
            statuses.append(client_for(user).post("/api/v1/assessments/claim", {"token": token}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=pair) for pair in zip(users, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    session.refresh_from_db()
    winner = next(u for u in users if u.customer_id == session.customer_id)
    assert AssessmentClaimToken.objects.get(used_at__isnull=False).used_by_id == winner.pk
