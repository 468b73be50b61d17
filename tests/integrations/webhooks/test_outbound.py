"""Outbound webhooks: endpoints API, events → deliveries → attempts on the schedule against a real
receiver on 127.0.0.1, 410 disables, 5 days of failures disable, kill -9 mid-delivery."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook

from integrations.webhooks.models import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint
from integrations.webhooks.services.outbound import (
    webhook_deliveries_recover,
    webhook_delivery_attempt,
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_update,
    webhook_event_emit,
)
from platform_core.models import ScheduledTask, User
from tests.fakes.webhook_receiver import webhook_receiver
from tests.platform_core.factories import CustomerFactory, UserFactory
from tests.support.worker import wait_for

pytestmark = pytest.mark.django_db


def _endpoint(customer, url, event_types=("export.ready",)):
    return webhook_endpoint_create(customer=customer, url=url, event_types=list(event_types))


def _attempt(delivery: WebhookDelivery) -> str:
    """What the delivery's task does when its message runs."""
    delivery.refresh_from_db()
    return webhook_delivery_attempt(delivery_id=str(delivery.pk), task_id=delivery.task_id)


# --- API ---------------------------------------------------------------------------------------
def test_owner_creates_lists_updates_and_deletes_endpoints(auth_client, user):
    created = auth_client.post(
        "/api/v1/webhook-endpoints/",
        {"url": "https://hooks.example.com/in", "eventTypes": ["export.ready", "cost.calculated"]},
    )
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["eventTypes"] == ["cost.calculated", "export.ready"]
    assert body["isActive"] is True

    listed = auth_client.get("/api/v1/webhook-endpoints/").json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]
    assert "secret" not in listed["results"][0]

    patched = auth_client.patch(f"/api/v1/webhook-endpoints/{body['id']}/", {"isActive": False})
    assert patched.status_code == 200
    assert patched.json()["isActive"] is False
    assert patched.json()["disabledReason"] == "Disabled by the customer."

    assert auth_client.delete(f"/api/v1/webhook-endpoints/{body['id']}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_bad_endpoint_input_is_400(auth_client):
    response = auth_client.post("/api/v1/webhook-endpoints/", {"url": "not a url", "eventTypes": ["nope"]})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["details"]) == {"url", "eventTypes"}
    assert not WebhookEndpoint.objects.exists()


def test_another_customers_endpoint_is_404(auth_client):
    other = _endpoint(CustomerFactory(), "https://other.example.com/")
    assert auth_client.get(f"/api/v1/webhook-endpoints/{other.pk}/").status_code == 404
    assert auth_client.delete(f"/api/v1/webhook-endpoints/{other.pk}/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=other.pk).exists()


def test_members_cannot_manage_endpoints():
    client = APIClient()
    client.force_authenticate(UserFactory(role=User.Role.MEMBER))
    body = {"url": "https://a.example.com/", "eventTypes": ["icp.generated"]}
    response = client.post("/api/v1/webhook-endpoints/", body)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "manager_role_required"
    assert not WebhookEndpoint.objects.exists()


def test_events_go_to_active_subscribed_endpoints_of_that_customer():
    customer = CustomerFactory()
    subscribed = _endpoint(customer, "https://a.example.com/", ["export.ready"])
    _endpoint(customer, "https://b.example.com/", ["cost.calculated"])
    disabled = _endpoint(customer, "https://c.example.com/", ["export.ready"])
    WebhookEndpoint.objects.filter(pk=disabled.pk).update(is_active=False)
    _endpoint(CustomerFactory(), "https://d.example.com/", ["export.ready"])

    deliveries = webhook_event_emit(customer=customer, event_type="export.ready", payload={"export_id": "e1"})

    assert [d.endpoint_id for d in deliveries] == [subscribed.pk]
    assert deliveries[0].payload["type"] == "export.ready"
    assert deliveries[0].payload["data"] == {"exportId": "e1"}


# --- attempts and the schedule -------------------------------------------------------------------
def test_fails_twice_then_succeeds_three_attempts_logged_same_webhook_id(auth_client, user):
    with webhook_receiver([500, 503, 200], body='{"received": true}') as receiver:
        endpoint = _endpoint(user.customer, receiver.url)
        (delivery,) = webhook_event_emit(customer=user.customer, event_type="export.ready", payload={"id": 1})

        before = timezone.now()
        assert _attempt(delivery) == "retrying"
        delivery.refresh_from_db()
        assert delivery.next_attempt_at is not None
        assert timedelta(seconds=4) < delivery.next_attempt_at - before < timedelta(seconds=6)
        assert _attempt(delivery) == "retrying"
        delivery.refresh_from_db()
        assert delivery.next_attempt_at is not None
        assert timedelta(minutes=4, seconds=59) < delivery.next_attempt_at - before < timedelta(minutes=5, seconds=2)
        assert _attempt(delivery) == "succeeded"

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert [(a.number, a.outcome, a.status_code) for a in delivery.attempts.order_by("number")] == [
        (1, "failed", 500), (2, "failed", 503), (3, "succeeded", 200),
    ]  # fmt: skip
    assert all(a.latency_ms is not None for a in delivery.attempts.all())
    # Receivers verify each request and can dedupe on webhook-id: the same on every attempt.
    assert {r.headers["webhook-id"] for r in receiver.requests} == {delivery.message_id}
    for request in receiver.requests:
        assert Webhook(endpoint.secret).verify(request.body, request.headers) == delivery.payload

    # The customer sees it in the API too.
    listed = auth_client.get(f"/api/v1/webhook-endpoints/{endpoint.pk}/deliveries/").json()["results"]
    assert listed[0]["status"] == "succeeded"
    assert [a["statusCode"] for a in listed[0]["attempts"]] == [500, 503, 200]
    assert listed[0]["attempts"][2]["responseExcerpt"] == '{"received": true}'


def test_waits_over_five_minutes_are_due_times_in_postgresql():
    customer = CustomerFactory()
    with webhook_receiver(default_status=502) as receiver:
        _endpoint(customer, receiver.url)
        (delivery,) = webhook_event_emit(customer=customer, event_type="export.ready", payload={})
        for _ in range(3):
            _attempt(delivery)

    delivery.refresh_from_db()
    stored = ScheduledTask.objects.get(task_id=delivery.task_id)
    assert stored.task_name == "integrations.webhooks.tasks.webhook_delivery_attempt"
    assert stored.args == [str(delivery.pk), delivery.task_id]
    assert timedelta(minutes=29) < stored.due_at - timezone.now() <= timedelta(minutes=30)


def test_gives_up_after_the_last_attempt_of_the_schedule():
    customer = CustomerFactory()
    with webhook_receiver(default_status=500) as receiver:
        _endpoint(customer, receiver.url)
        (delivery,) = webhook_event_emit(customer=customer, event_type="export.ready", payload={})
        results = [_attempt(delivery) for _ in range(8)]
    assert results == ["retrying"] * 7 + ["failed"]
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert _attempt(delivery) == "skipped"
    assert len(receiver.requests) == 8


@pytest.mark.parametrize(("status", "retried"), [(400, False), (404, False), (408, True), (429, True)])
def test_client_errors_are_final_except_408_and_429(status, retried):
    customer = CustomerFactory()
    with webhook_receiver([status]) as receiver:
        _endpoint(customer, receiver.url)
        (delivery,) = webhook_event_emit(customer=customer, event_type="export.ready", payload={})
        assert _attempt(delivery) == ("retrying" if retried else "failed")


def test_endpoints_on_private_addresses_are_refused_where_private_targets_are_off(auth_client, settings):
    """Against SSRF: a customer's URL must not make our workers call loopback, private or metadata hosts."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    for url in ("http://127.0.0.1:8000/admin/", "http://localhost/", "http://169.254.169.254/latest/meta-data/",
                "http://10.1.2.3/hook", "http://[::1]/hook"):  # fmt: skip
        response = auth_client.post("/api/v1/webhook-endpoints/", {"url": url, "eventTypes": ["export.ready"]})
        assert response.status_code == 400, url
        assert response.json()["error"]["code"] == "webhook_url_not_allowed", url
        assert "url" in response.json()["error"]["details"]
    assert not WebhookEndpoint.objects.exists()


def test_a_delivery_to_an_endpoint_that_now_resolves_privately_is_not_sent(settings):
    customer = CustomerFactory()
    with webhook_receiver() as receiver:
        _endpoint(customer, receiver.url)  # saved while private targets were allowed
        settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
        (delivery,) = webhook_event_emit(customer=customer, event_type="export.ready", payload={})
        assert _attempt(delivery) == "retrying"
        assert receiver.requests == []
    assert delivery.attempts.get().error.startswith("target_not_allowed")


def test_unreachable_receiver_is_retried():
    customer = CustomerFactory()
    with webhook_receiver() as receiver:
        url = receiver.url
    _endpoint(customer, url)  # the receiver is gone: connection refused
    (delivery,) = webhook_event_emit(customer=customer, event_type="export.ready", payload={})
    assert _attempt(delivery) == "retrying"
    attempt = delivery.attempts.get()
    assert attempt.status_code is None
    assert "ConnectionError" in attempt.error


def test_410_disables_the_endpoint_and_cancels_its_pending_deliveries():
    owner = UserFactory()
    with webhook_receiver([410]) as receiver:
        endpoint = _endpoint(owner.customer, receiver.url)
        first, second = (
            webhook_event_emit(customer=owner.customer, event_type="export.ready", payload={"n": n})[0] for n in (1, 2)
        )
        assert _attempt(first) == "failed"

    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert "410" in endpoint.disabled_reason
    second.refresh_from_db()
    assert second.status == WebhookDelivery.Status.CANCELLED
    assert webhook_event_emit(customer=owner.customer, event_type="export.ready", payload={}) == []


def test_replay_sends_a_failed_delivery_again_with_its_webhook_id():
    customer = CustomerFactory()
    with webhook_receiver([400, 200]) as receiver:
        _endpoint(customer, receiver.url)
        (delivery,) = webhook_event_emit(customer=customer, event_type="export.ready", payload={})
        assert _attempt(delivery) == "failed"
        webhook_delivery_replay(delivery=delivery)
        assert _attempt(delivery) == "succeeded"
    assert [r.headers["webhook-id"] for r in receiver.requests] == [delivery.message_id] * 2


def test_pending_deliveries_follow_an_endpoint_url_change_and_keep_a_short_excerpt():
    customer = CustomerFactory()
    with webhook_receiver([500]) as old, webhook_receiver(body="y" * 5000) as new:
        endpoint = _endpoint(customer, old.url)
        (delivery,) = webhook_event_emit(customer=customer, event_type="export.ready", payload={})
        assert _attempt(delivery) == "retrying"
        webhook_endpoint_update(endpoint=endpoint, url=new.url)
        assert _attempt(delivery) == "succeeded"
    assert (len(old.requests), len(new.requests)) == (1, 1)
    assert delivery.attempts.get(number=2).response_excerpt == "y" * 500


# --- real worker ----------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_endpoint_failing_for_five_days_is_disabled_and_its_owner_emailed(celery_worker, worker_mailbox):
    owner = UserFactory(email="owner@failing.example.com")
    with webhook_receiver(default_status=500) as receiver:
        endpoint = _endpoint(owner.customer, receiver.url)
        five_days_ago = timezone.now() - timedelta(days=5, minutes=1)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=five_days_ago)
        webhook_event_emit(customer=owner.customer, event_type="export.ready", payload={})

        wait_for(lambda: not WebhookEndpoint.objects.get(pk=endpoint.pk).is_active, what="the endpoint disabled")

    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == "Every delivery failed for 5 days."
    # The e-mail task ran on the `email` queue and reached the SMTP server.
    (message,) = wait_for(lambda: worker_mailbox.to(owner.email), what="the e-mail")
    assert message["Subject"] == f"Webhook endpoint disabled: {receiver.url}"


@pytest.mark.django_db(transaction=True)
def test_kill_9_mid_delivery_is_delivered_after_restart_with_the_same_webhook_id(celery_worker):
    customer = CustomerFactory()
    with webhook_receiver() as receiver:
        receiver.hang.set()  # the first request is held open while the worker dies
        _endpoint(customer, receiver.url)
        (delivery,) = webhook_event_emit(customer=customer, event_type="export.ready", payload={"big": True})
        wait_for(lambda: receiver.requests, what="the first attempt to arrive")

        celery_worker.kill()
        receiver.hang.clear()
        receiver.release.set()
        celery_worker.start()

        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.PENDING
        # Beat's sweep resends it once the attempt's lease has run out (here: made to have run out).
        WebhookDelivery.objects.filter(pk=delivery.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
        assert webhook_deliveries_recover() == 1

        wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == "succeeded", what="the redelivery")

    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert ids == [delivery.message_id, delivery.message_id]
    outcomes = list(WebhookDeliveryAttempt.objects.filter(delivery=delivery).values_list("outcome", flat=True))
    assert outcomes == ["worker_lost", "succeeded"]
