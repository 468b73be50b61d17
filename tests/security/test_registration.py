"""Issue 13 items 2, 12, 13: e-mail verification before anything is linked by address, registration that
does not reveal accounts, and concurrent sign-ups of one company (platform_core.services.accounts)."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from rest_framework.test import APIClient

from assessments.models import AssessmentSession
from platform_core.models import Customer, User
from tests.assessments.factories import CompletedSessionFactory
from tests.platform_core.factories import PASSWORD, UserFactory
from tests.support.worker import wait_for

PASSPHRASE = "a-long-enough-passphrase-42"


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def register(email: str, company: str = "Acme"):
    return APIClient().post(
        "/api/v1/auth/register/", {"email": email, "password": PASSPHRASE, "companyName": company}, format="json"
    )


@pytest.mark.django_db(transaction=True)
def test_assessments_are_linked_only_once_the_address_is_verified(celery_worker, worker_mailbox, settings):
    settings.FRONTEND_URL = "https://app.example.com"
    address = f"founder-{uuid.uuid4().hex[:6]}@acme.example"
    mine = CompletedSessionFactory(user_email=address)
    assert register(address.upper()).status_code == 201
    owner = User.objects.get(email=address)
    mine.refresh_from_db()
    assert (mine.status, mine.customer_id) == ("completed_awaiting_signup", None)  # registering took nothing

    (message,) = wait_for(lambda: worker_mailbox.to(address), what="the verification e-mail")
    (url,) = [w for w in _text(message).split() if w.startswith("https://app.example.com/verify-email?token=")]
    token = url.split("token=", 1)[1]
    forged = APIClient().post("/api/v1/auth/verify-email/", {"token": token[:-2] + "xx"}, format="json")
    assert forged.status_code == 400 and forged.json()["error"]["code"] == "token_invalid"

    verified = APIClient().post("/api/v1/auth/verify-email/", {"token": token}, format="json")

    assert verified.status_code == 200, verified.content
    assert verified.json()["emailVerifiedAt"]
    mine.refresh_from_db()
    assert (mine.status, mine.customer_id) == ("linked", owner.customer_id)


@pytest.mark.django_db(transaction=True)
def test_registering_a_known_address_answers_as_for_a_new_one_and_tells_its_owner(celery_worker, worker_mailbox):
    owner = UserFactory(email=f"known-{uuid.uuid4().hex[:6]}@acme.example")
    new = f"new-{uuid.uuid4().hex[:6]}@acme.example"
    customers = Customer.objects.count()

    known_answer, new_answer = register(owner.email), register(new)

    assert known_answer.status_code == new_answer.status_code == 201
    assert set(known_answer.json()) == set(new_answer.json())
    assert known_answer.json()["message"] == new_answer.json()["message"]
    assert Customer.objects.count() == customers + 1  # only the new address got an account
    (message,) = wait_for(lambda: worker_mailbox.to(owner.email), what="the account-exists e-mail")
    assert "already has one" in _text(message)
    assert (
        APIClient()
        .post("/api/v1/auth/token/", {"email": owner.email, "password": PASSPHRASE}, format="json")
        .status_code
        == 401
    )  # the second registration's password does not open the account
    assert (
        APIClient().post("/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD}, format="json").status_code
        == 200
    )


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_sign_ups_of_one_company_all_succeed(web_server):
    """Used to give 13 x 500 (a slug checked, then taken by another sign-up before the insert)."""
    company = f"Race Corp {uuid.uuid4().hex[:6]}"
    emails = [f"racer{i}-{uuid.uuid4().hex[:6]}@race.example" for i in range(20)]

    def sign_up(email: str) -> int:
        body = {"email": email, "password": PASSPHRASE, "companyName": company}
        return web_server.call("/api/v1/auth/register/", body)[0]

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(sign_up, emails))

    assert codes == [201] * 20
    slugs = list(Customer.objects.filter(name=company).values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == 20
    assert User.objects.filter(email__in=emails, role="owner").count() == 20
    assert not AssessmentSession.objects.filter(user_email__in=emails).exists()
