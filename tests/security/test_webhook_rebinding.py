"""Issue 13 item 9: outbound webhooks resolve the host once, check the address and connect to that very
address (integrations.webhooks.services.outbound.pinned_post), with the Host header kept.

The resolver below plays a rebinding DNS server: its first answer is the checked address (our
receiver), every later one an address where nothing listens. The old code resolved again inside
requests and so connected to the second answer.
"""

import socket
from typing import Any

import pytest

from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint
from integrations.webhooks.services.outbound import (
    webhook_delivery_attempt,
    webhook_endpoint_create,
    webhook_event_emit,
)
from tests.fakes.webhook_receiver import webhook_receiver
from tests.platform_core.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HOST = "hooks.customer.example"


@pytest.fixture
def rebinding_dns(monkeypatch):
    real = socket.getaddrinfo
    answers: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != HOST:
            return real(host, port, *args, **kwargs)
        address = "127.0.0.1" if not answers else "127.0.0.9"  # then: somewhere else
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def test_a_delivery_connects_to_the_address_it_checked(rebinding_dns, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True  # the receiver runs on loopback
    customer = CustomerFactory()
    with webhook_receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        webhook_endpoint_create(customer=customer, url=f"http://{HOST}:{port}/hook", event_types=["export.ready"])
        rebinding_dns.clear()  # the endpoint check above was one resolution; the send must be one too
        (delivery,) = webhook_event_emit(customer=customer, event_type="export.ready", payload={"exportId": "e1"})
        delivery.refresh_from_db()

        assert webhook_delivery_attempt(delivery_id=str(delivery.pk), task_id=delivery.task_id) == "succeeded"

        assert rebinding_dns == ["127.0.0.1"]  # resolved once, at the check
        (received,) = receiver.requests
        assert received.headers["host"] == f"{HOST}:{port}"
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED


def test_a_host_that_resolves_privately_at_send_time_is_not_called(rebinding_dns, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    customer: Any = CustomerFactory()
    WebhookEndpoint.objects.create(customer=customer, url=f"https://{HOST}/hook", event_types=["export.ready"])
    (delivery,) = webhook_event_emit(customer=customer, event_type="export.ready", payload={"exportId": "e1"})
    delivery.refresh_from_db()
    webhook_delivery_attempt(delivery_id=str(delivery.pk), task_id=delivery.task_id)
    assert delivery.attempts.get().error.startswith("target_not_allowed")
