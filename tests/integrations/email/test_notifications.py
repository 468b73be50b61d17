"""The notifications users get, end to end: the event happens through the API, the session's real
worker renders and sends the e-mail on the `email` queue, and it arrives at a real SMTP server."""

import io
import uuid
from urllib.parse import urlsplit

import pypdf
import pytest
from django.core.files.storage import storages
from rest_framework.test import APIClient

from assessments.models import AssessmentSession
from assessments.services.costs import cost_calculation_save
from exports.models import Export
from tests.exports.test_documents import COST_INPUTS
from tests.platform_core.factories import PASSWORD, UserFactory
from tests.support.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _submit(respondent: str) -> str:
    session_id = f"assess_1732600000000_{uuid.uuid4().hex[:9]}"
    response = APIClient().post("/api/v1/assessments/submit", {
        "sessionId": session_id, "responses": {f"q{i}": 1 + i % 4 for i in range(1, 15)},
        "userInfo": {"name": "Dana", "email": respondent, "company": "Acme Robotics", "role": "CEO"},
    }, format="json")  # fmt: skip
    assert response.status_code == 202, response.content
    return session_id


def test_staff_hear_of_each_completed_assessment(celery_worker, worker_mailbox, settings):
    settings.SITE_URL = "https://api.example.com"
    staff = UserFactory(is_staff=True, customer=None, email=f"ops-{uuid.uuid4().hex[:6]}@example.com")
    respondent = f"dana-{uuid.uuid4().hex[:6]}@acme.example"
    score = AssessmentSession.objects.get(session_id=_submit(respondent)).overall_score

    (message,) = wait_for(lambda: worker_mailbox.to(staff.email), what="the staff e-mail")
    assert message["Subject"] == f"New assessment completed: Acme Robotics ({score}/100)"
    assert respondent in _text(message)
    assert "https://api.example.com/admin/assessments/assessmentsession/" in _text(message)
    assert not worker_mailbox.to(respondent)  # the respondent hears only when a claim link is made


def test_the_respondent_receives_the_claim_link_that_claims_the_assessment(celery_worker, worker_mailbox, settings):
    settings.FRONTEND_URL = "https://app.example.com"
    respondent = f"dana-{uuid.uuid4().hex[:6]}@acme.example"
    session_id = _submit(respondent)
    # Without the browser's claim secret the token is not in the answer: it goes to the respondent only.
    response = APIClient().post(f"/api/v1/assessments/{session_id}/claim-token")
    assert response.status_code == 202 and "token" not in response.json()

    (message,) = wait_for(lambda: worker_mailbox.to(respondent), what="the claim e-mail")
    assert message["Subject"] == "Your Andru assessment results are ready"
    score = AssessmentSession.objects.get(session_id=session_id).overall_score
    # Fixed text: nothing the respondent typed (the name) goes into a mail to an address they chose.
    assert "Dana" not in _text(message) and f"{score}/100" in _text(message)
    (url,) = [word for word in _text(message).split() if word.startswith("https://app.example.com/claim?token=")]

    client = APIClient()
    client.force_authenticate(UserFactory())
    claimed = client.post("/api/v1/assessments/claim", {"token": url.split("token=", 1)[1]}, format="json")
    assert claimed.status_code == 200, claimed.content
    assert claimed.json()["status"] == "linked"


def test_the_requester_receives_a_working_link_when_an_export_is_ready(celery_worker, worker_mailbox, settings):
    # The export is made on the worker, which has the SITE_URL of the environment, as this process.
    user = UserFactory(email=f"cfo-{uuid.uuid4().hex[:6]}@example.com")
    cost_calculation_save(customer=user.customer, user=user, inputs=COST_INPUTS, scenario="realistic")
    client = APIClient()
    client.force_authenticate(user)
    export_id = client.post("/api/v1/exports/", {"document": "cost-of-inaction", "format": "pdf"}).json()["exportId"]

    (message,) = wait_for(lambda: worker_mailbox.to(user.email), timeout=60, what="the export e-mail")
    assert message["Subject"] == "Your PDF export of Cost of Inaction Analysis is ready"
    (url,) = [word for word in _text(message).split() if word.startswith(f"{settings.SITE_URL}/")]
    file = APIClient().get(urlsplit(url).path)  # no login: the link itself is the credential
    assert file.status_code == 200
    pdf = pypdf.PdfReader(io.BytesIO(b"".join(file.streaming_content)))
    assert "Cost of Inaction Analysis" in pdf.pages[0].extract_text()
    storages["default"].delete(Export.objects.get(pk=export_id).file_key)


def test_an_invitee_receives_the_link_that_makes_the_account(celery_worker, worker_mailbox, settings):
    settings.FRONTEND_URL = "https://app.example.com"
    owner = UserFactory(full_name="Ada Owner")
    owner.customer.name = "Acme Robotics"
    owner.customer.save()
    client = APIClient()
    client.force_authenticate(owner)
    invitee = f"nia-{uuid.uuid4().hex[:6]}@example.com"
    response = client.post("/api/v1/team/invitations/", {"email": invitee, "role": "admin"}, format="json")
    assert response.status_code == 201, response.content

    (message,) = wait_for(lambda: worker_mailbox.to(invitee), what="the invitation e-mail")
    # Fixed text (issue 13): the inviter's address only, not the free-text names anyone can choose.
    assert message["Subject"] == f"{owner.email} invited you to a team on Andru"
    assert "Ada Owner" not in _text(message) and "Acme Robotics" not in _text(message)
    (url,) = [word for word in _text(message).split() if word.startswith("https://app.example.com/invite?token=")]
    joined = APIClient().post("/api/v1/team/invitations/accept/", {
        "token": url.split("token=", 1)[1], "password": PASSWORD, "fullName": "Nia New",
    }, format="json")  # fmt: skip
    assert joined.status_code == 201, joined.content
    assert joined.json()["user"]["role"] == "admin" and joined.json()["user"]["customer"]["id"] == owner.customer_id
