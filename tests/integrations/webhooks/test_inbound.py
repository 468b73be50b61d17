"""POST /api/v1/webhooks/<source>/: Standard Webhooks verification, storage before the answer,
dedupe on webhook-id, processing once on a real worker, retries, dead letter, admin replay."""

import json
from datetime import UTC, datetime

import pytest
from django.test import Client

from integrations.webhooks.models import InboundWebhook
from platform_core.models import Customer, DeadLetter, User
from tests.integrations.webhooks.conftest import QA_SECRETS, STALE, post_webhook, qa_body, sign
from tests.support.worker import wait_for

pytestmark = pytest.mark.django_db


def test_valid_signature_is_stored_before_the_202():
    body = qa_body("stored")
    headers = sign(QA_SECRETS[0], body)
    response = post_webhook(Client(), "qa", body, {**headers, "Authorization": "Bearer not-kept"})

    assert response.status_code == 202
    assert response.json() == {"webhookId": headers["webhook-id"], "status": "received", "duplicate": False}
    stored = InboundWebhook.objects.get()
    assert (stored.source, stored.webhook_id, stored.event_type) == ("qa", headers["webhook-id"], "effect.record")
    assert stored.body == body.decode()
    assert stored.headers["webhook-signature"] == headers["webhook-signature"]
    assert "authorization" not in stored.headers
    assert stored.status == InboundWebhook.Status.RECEIVED


def test_any_active_secret_verifies_during_a_rotation():
    body = qa_body("rotated")
    assert post_webhook(Client(), "qa", body, sign(QA_SECRETS[1], body)).status_code == 202


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (lambda body, h: {**h, "webhook-signature": sign("whsec_" + "A" * 32, body)["webhook-signature"]},
         "invalid_signature"),
        (lambda body, h: {**h, "webhook-signature": "v1,not-base64!"}, "invalid_signature"),
        (lambda body, h: {**h, "webhook-signature": "garbage"}, "invalid_signature"),
        (lambda body, h: {k: v for k, v in h.items() if k != "webhook-timestamp"}, "missing_signature_headers"),
        (lambda body, h: {k: v for k, v in h.items() if k != "webhook-signature"}, "missing_signature_headers"),
        (lambda body, h: sign(QA_SECRETS[0], body, at=datetime.now(tz=UTC) - STALE), "stale_timestamp"),
        (lambda body, h: sign(QA_SECRETS[0], body, at=datetime.now(tz=UTC) + STALE), "stale_timestamp"),
        (lambda body, h: {**h, "webhook-timestamp": "yesterday"}, "invalid_timestamp"),
    ],
)  # fmt: skip
def test_bad_signatures_are_401_and_store_nothing(tamper, code):
    body = qa_body("refused")
    response = post_webhook(Client(), "qa", body, tamper(body, sign(QA_SECRETS[0], body)))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert not InboundWebhook.objects.exists()


def test_the_signature_covers_the_raw_body():
    body = qa_body("original")
    headers = sign(QA_SECRETS[0], body)
    response = post_webhook(Client(), "qa", body.replace(b"original", b"tampered"), headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"


def test_unknown_source_is_404():
    body = qa_body("nowhere")
    response = post_webhook(Client(), "stripe", body, sign(QA_SECRETS[0], body))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_source"


def test_only_post_is_allowed():
    response = Client().get("/api/v1/webhooks/qa/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "invalid_json"),
        (b"[1, 2]", "invalid_json"),
        (json.dumps({"type": "effect.unknown", "data": {"key": "x"}}).encode(), "unknown_event_type"),
        (json.dumps({"type": "effect.record", "data": {"key": "not a slug"}}).encode(), "validation_error"),
    ],
)
def test_bad_payloads_are_400_and_store_nothing(body, code):
    response = post_webhook(Client(), "qa", body, sign(QA_SECRETS[0], body))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not InboundWebhook.objects.exists()


def test_a_repeated_webhook_id_answers_200_and_is_stored_once():
    body = qa_body("twice")
    headers = sign(QA_SECRETS[0], body)
    assert post_webhook(Client(), "qa", body, headers).status_code == 202

    again = post_webhook(Client(), "qa", body, sign(QA_SECRETS[0], body, msg_id=headers["webhook-id"]))
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert InboundWebhook.objects.count() == 1


def _runs(key: str) -> int:
    return Customer.objects.filter(name=f"run {key}").count()


@pytest.mark.django_db(transaction=True)
def test_processed_once_on_the_worker_even_when_sent_again(celery_worker):
    body = qa_body("once")
    headers = sign(QA_SECRETS[0], body)
    assert post_webhook(Client(), "qa", body, headers).status_code == 202

    inbound = InboundWebhook.objects.get(webhook_id=headers["webhook-id"])
    wait_for(lambda: InboundWebhook.objects.get(pk=inbound.pk).status == "processed", what="processing")
    assert _runs("once") == 1

    # The sender retries (it missed our answer): acknowledged, not processed again.
    again = post_webhook(Client(), "qa", body, sign(QA_SECRETS[0], body, msg_id=headers["webhook-id"]))
    assert again.status_code == 200
    assert again.json()["status"] == "processed"
    # A drain or a retry message that comes again finds it done.
    from integrations.webhooks.services.inbound import inbound_webhook_process

    assert inbound_webhook_process(inbound_id=inbound.pk) == "already_processed"
    assert _runs("once") == 1
    assert InboundWebhook.objects.get(pk=inbound.pk).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_a_burst_is_processed_without_waiting_for_beat(celery_worker):
    # A process asks for one drain per window however many arrive; each arrival is still covered.
    keys = [f"burst-{n}" for n in range(30)]
    for key in keys:
        body = qa_body(key)
        assert post_webhook(Client(), "qa", body, sign(QA_SECRETS[0], body)).status_code == 202

    wait_for(lambda: not InboundWebhook.objects.exclude(status="processed").exists(), what="the burst")
    assert [_runs(key) for key in keys] == [1] * len(keys)


@pytest.mark.django_db(transaction=True)
def test_failing_processing_retries_then_dead_letter_then_admin_replay(celery_worker):
    body = qa_body("blocked", "effect.blocked")
    headers = sign(QA_SECRETS[0], body)
    assert post_webhook(Client(), "qa", body, headers).status_code == 202
    inbound = InboundWebhook.objects.get(webhook_id=headers["webhook-id"])

    letter = wait_for(
        lambda: DeadLetter.objects.filter(task_name__endswith="inbound_webhook_process", args=[inbound.pk]).first(),
        timeout=60, what="the dead letter",
    )  # fmt: skip
    inbound.refresh_from_db()
    assert inbound.status == InboundWebhook.Status.FAILED
    assert inbound.attempts == 3  # WEBHOOK_PROCESS_MAX_ATTEMPTS=3 in the worker (conftest)
    assert "blocked is blocked" in inbound.error
    assert letter.status == DeadLetter.Status.OPEN
    assert _runs("blocked") == 0

    # Staff fix the cause, then replay from the admin.
    Customer.objects.create(slug="unblock-blocked", name="unblock")
    staff = User.objects.create_superuser(email="staff@example.com", password="x" * 12)
    admin = Client()
    admin.force_login(staff)
    response = admin.post(
        "/admin/webhooks/inboundwebhook/", {"action": "replay", "_selected_action": [inbound.pk]}, follow=True
    )
    assert response.status_code == 200

    wait_for(lambda: InboundWebhook.objects.get(pk=inbound.pk).status == "processed", what="the replay")
    assert _runs("blocked") == 1
    wait_for(lambda: DeadLetter.objects.get(pk=letter.pk).status == DeadLetter.Status.RESOLVED, what="resolution")


def test_a_processed_webhook_is_not_replayable():
    from integrations.webhooks.services.inbound import inbound_webhook_process, inbound_webhook_replay
    from platform_core.exceptions import ApplicationError

    body = qa_body("done")
    post_webhook(Client(), "qa", body, sign(QA_SECRETS[0], body))
    inbound = InboundWebhook.objects.get()
    assert inbound_webhook_process(inbound_id=inbound.pk) == "processed"
    with pytest.raises(ApplicationError) as exc:
        inbound_webhook_replay(inbound=inbound)
    assert exc.value.code == "not_replayable"
