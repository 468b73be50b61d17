"""Outbound webhooks: events become deliveries, attempted on a schedule, every attempt logged."""

from __future__ import annotations

import ipaddress
import json
import socket
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from djangorestframework_camel_case.util import camelize
from requests.adapters import HTTPAdapter

from integrations.webhooks.models import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint
from integrations.webhooks.services.signing import webhook_signature_headers
from platform_core.exceptions import ApplicationError
from platform_core.models import Customer, User
from platform_core.services.tasks import task_enqueue

ATTEMPT_TASK = "integrations.webhooks.tasks.webhook_delivery_attempt"
EVENT_TYPES = (
    "assessment.completed",
    "icp.generated",
    "personas.generated",
    "company.rated",
    "cost.calculated",
    "business_case.generated",
    "resource.generated",
    "export.ready",
)
# Wait before attempt 1, 2, ... 8 (Standard Webhooks / Svix schedule); then the delivery fails.
RETRY_SCHEDULE = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
# A 4xx means the request itself is refused: retrying cannot help, except these two.
RETRIED_CLIENT_ERRORS = (408, 429)
USER_AGENT = "HS-Platform-API/1.0"
LEASE_GRACE = timedelta(seconds=30)
EXCERPT_CHARS = 500
# Who hears that a delivery finished (succeeded, or failed for good), inside its transaction: the
# integration that started it (a Make.com execution) registers itself; this module names none.
DeliveryFinished = Callable[..., None]  # (*, delivery: WebhookDelivery, excerpt: str) -> None
_finished_listeners: list[DeliveryFinished] = []


# --- endpoints -----------------------------------------------------------------------------
def _resolve_checked(url: str, *, check_private: bool = True) -> tuple[str | None, str | None]:
    """(the address to connect to, None) or (None, why `url` may not receive our requests).

    A customer's endpoint must not make our workers call our own network (SSRF): loopback,
    private ranges, link-local (cloud metadata) and the like are refused unless
    WEBHOOK_ALLOW_PRIVATE_TARGETS (on outside production, where receivers run locally). The
    host is resolved once here and the request connects to the address returned, so a DNS answer
    that changes between the check and the connection (rebinding) cannot reach anything else.
    """
    host = urlsplit(url).hostname
    if not host:
        return None, "The URL has no host."
    try:
        addresses = [str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)]
    except (OSError, UnicodeError):
        return None, f"The host {host} cannot be resolved."
    if not addresses:
        return None, f"The host {host} cannot be resolved."
    if (
        check_private
        and not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS
        and any(not ipaddress.ip_address(address.split("%")[0]).is_global for address in addresses)
    ):
        return None, f"The host {host} resolves to a private or reserved address."
    return addresses[0], None


def _private_target(url: str) -> str | None:
    """Why `url` may not receive our requests, or None (see _resolve_checked); when private targets are
    allowed nothing needs resolving yet (the send resolves and pins)."""
    if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return None
    return _resolve_checked(url)[1]


class PinnedAddressAdapter(HTTPAdapter):
    """Sends to an address resolved and checked beforehand while TLS (SNI and the certificate check)
    and the Host header still name the URL's host."""

    def __init__(self, *, host: str, address: str) -> None:
        self.host, self.address = host, address
        super().__init__(max_retries=0)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        # urllib3 drops these for plain-http pools; for https they name the host in SNI and verification.
        pool_kwargs.update(server_hostname=self.host, assert_hostname=self.host)
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        parts = urlsplit(request.url or "")
        literal = f"[{self.address}]" if ":" in self.address else self.address
        netloc = literal + (f":{parts.port}" if parts.port else "")
        request.headers["Host"] = parts.netloc.rsplit("@", 1)[-1]
        request.url = parts._replace(netloc=netloc).geturl()
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)


def pinned_post(url: str, *, address: str, **kwargs: Any) -> requests.Response:
    """requests.post to `url`, connected to `address` only (no redirects are followed)."""
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: it would resolve the host itself
    adapter = PinnedAddressAdapter(host=urlsplit(url).hostname or "", address=address)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session.post(url, allow_redirects=False, **kwargs)


def _endpoint_validate(*, url: str, event_types: list[str]) -> None:
    if settings.WEBHOOK_ENDPOINT_REQUIRE_HTTPS and not url.startswith("https://"):
        raise ApplicationError("The URL must use https.", code="validation_error", details={"url": ["Use https."]})
    if reason := _private_target(url):
        raise ApplicationError(reason, code="webhook_url_not_allowed", details={"url": [reason]})
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if not event_types or unknown:
        raise ApplicationError(
            "Choose one or more known event types.", code="validation_error",
            details={"eventTypes": [f"Unknown: {', '.join(unknown)}" if unknown else "Choose at least one."]},
        )  # fmt: skip


@transaction.atomic
def webhook_endpoint_create(
    *, customer: Customer, url: str, event_types: list[str], description: str = ""
) -> WebhookEndpoint:
    _endpoint_validate(url=url, event_types=event_types)
    return WebhookEndpoint.objects.create(
        customer=customer, url=url, event_types=sorted(set(event_types)), description=description
    )


@transaction.atomic
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **changes: Any) -> WebhookEndpoint:
    """Change url, event types, description or is_active; re-enabling forgets past failures."""
    url, event_types = changes.get("url", endpoint.url), changes.get("event_types", endpoint.event_types)
    _endpoint_validate(url=url, event_types=event_types)
    endpoint.url, endpoint.event_types = url, sorted(set(event_types))
    endpoint.description = changes.get("description", endpoint.description)
    if "is_active" in changes and changes["is_active"] != endpoint.is_active:
        endpoint.is_active = changes["is_active"]
        endpoint.failing_since = None
        endpoint.disabled_at = None if endpoint.is_active else timezone.now()
        endpoint.disabled_reason = "" if endpoint.is_active else "Disabled by the customer."
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_disable(*, endpoint: WebhookEndpoint, reason: str, notify: bool = False) -> WebhookEndpoint:
    """Stop sending to the endpoint: its pending deliveries are cancelled; optionally e-mail its owners."""
    from integrations.email.services import email_enqueue

    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not endpoint.is_active:
        return endpoint
    now = timezone.now()
    endpoint.is_active, endpoint.disabled_reason, endpoint.disabled_at = False, reason[:200], now
    endpoint.save(update_fields=["is_active", "disabled_reason", "disabled_at", "updated_at"])
    endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.CANCELLED, finished_at=now, lease_expires_at=None
    )
    admins = User.objects.filter(
        customer=endpoint.customer_id, is_active=True, role__in=[User.Role.OWNER, User.Role.ADMIN]
    )
    if notify and (owners := list(admins.values_list("email", flat=True))):
        email_enqueue(
            template="endpoint_disabled", to=owners,
            context={"url": endpoint.url, "reason": endpoint.disabled_reason, "customer_name": endpoint.customer.name},
        )  # fmt: skip
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


# --- deliveries ----------------------------------------------------------------------------
def _schedule(delivery: WebhookDelivery, *, delay: timedelta) -> None:
    """Give the next attempt to a new message (due after `delay`); older messages are dropped."""
    delivery.task_id = uuid.uuid4().hex
    delivery.next_attempt_at = timezone.now() + delay
    delivery.lease_expires_at = None
    task_enqueue(
        task_name=ATTEMPT_TASK, args=[str(delivery.pk), delivery.task_id], task_id=delivery.task_id,
        eta=delivery.next_attempt_at if delay else None,
    )  # fmt: skip


@transaction.atomic
def webhook_delivery_create(
    *, customer: Customer, url: str, event_type: str, payload: dict[str, Any], endpoint: WebhookEndpoint | None = None
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        customer=customer, endpoint=endpoint, url=url, event_type=event_type, payload=payload,
        message_id=f"msg_{uuid.uuid4().hex}",
    )  # fmt: skip
    _schedule(delivery, delay=RETRY_SCHEDULE[0])
    delivery.save()
    return delivery


@transaction.atomic
def webhook_event_emit(*, customer: Customer, event_type: str, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """Send an event to every active endpoint of the customer subscribed to it (after the commit)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event type {event_type!r}")
    endpoints = WebhookEndpoint.objects.filter(customer=customer, is_active=True, event_types__contains=[event_type])
    body = {"type": event_type, "timestamp": timezone.now().isoformat(), "data": camelize(payload)}
    body = json.loads(json.dumps(body, default=str))
    return [
        webhook_delivery_create(customer=customer, url=e.url, event_type=event_type, payload=body, endpoint=e)
        for e in endpoints
    ]


@transaction.atomic
def _attempt_start(*, delivery_id: str, task_id: str) -> tuple[WebhookDelivery, WebhookDeliveryAttempt] | None:
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("endpoint")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING or delivery.task_id != task_id:
        return None  # done, cancelled, or superseded by a newer message
    if delivery.endpoint is not None and not delivery.endpoint.is_active:
        delivery.status, delivery.finished_at = WebhookDelivery.Status.CANCELLED, timezone.now()
        delivery.save(update_fields=["status", "finished_at"])
        return None
    delivery.attempt_count += 1
    timeout = timedelta(seconds=settings.WEBHOOK_DELIVERY_TIMEOUT)
    delivery.lease_expires_at = timezone.now() + timeout + LEASE_GRACE
    delivery.save(update_fields=["attempt_count", "lease_expires_at"])
    attempt = WebhookDeliveryAttempt.objects.create(delivery=delivery, number=delivery.attempt_count)
    return delivery, attempt


def _post(delivery: WebhookDelivery) -> tuple[int | None, str, str, int]:
    """POST the delivery once: (status code, response excerpt, error, latency ms)."""
    body = json.dumps(delivery.payload, separators=(",", ":"))
    secret = delivery.endpoint.secret if delivery.endpoint else settings.MAKE_WEBHOOK_SECRET
    now = timezone.now()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    if secret:
        headers |= webhook_signature_headers(secret=secret, message_id=delivery.message_id, timestamp=now, body=body)
    else:  # Make.com scenarios do not verify signatures; the id still lets them dedupe
        headers |= {"webhook-id": delivery.message_id, "webhook-timestamp": str(int(now.timestamp()))}
    url = delivery.endpoint.url if delivery.endpoint else delivery.url  # the endpoint's URL may have changed
    started = time.monotonic()
    # Checked again at send time (a host's DNS may have changed since the endpoint was saved), and
    # the request goes to the very address checked.
    # Make.com URLs come from our own settings, not from a customer: only resolved.
    address, reason = _resolve_checked(url, check_private=delivery.endpoint is not None)
    if address is None:
        kind = "ConnectionError" if reason and "cannot be resolved" in reason else "target_not_allowed"
        return None, "", f"{kind}: {reason}"[:255], int((time.monotonic() - started) * 1000)
    try:
        with pinned_post(
            url, address=address, data=body.encode(), headers=headers, timeout=settings.WEBHOOK_DELIVERY_TIMEOUT,
            stream=True,
        ) as response:  # fmt: skip
            head = next(response.iter_content(EXCERPT_CHARS * 4), b"")  # never the whole of a huge answer
        status_code, error = response.status_code, ""
        excerpt = head.decode(response.encoding or "utf-8", errors="replace")[:EXCERPT_CHARS]
    except requests.RequestException as exc:
        status_code, excerpt, error = None, "", f"{type(exc).__name__}: {exc}"[:255]
    return status_code, excerpt, error, int((time.monotonic() - started) * 1000)


def webhook_delivery_attempt(*, delivery_id: str, task_id: str) -> str:
    """One attempt of a delivery (run by its task): claim, POST outside any transaction, record."""
    claimed = _attempt_start(delivery_id=delivery_id, task_id=task_id)
    if claimed is None:
        return "skipped"
    delivery, attempt = claimed
    status_code, excerpt, error, latency_ms = _post(delivery)
    return _attempt_finish(
        delivery_id=delivery.pk, attempt_id=attempt.pk, task_id=task_id,
        status_code=status_code, excerpt=excerpt, error=error, latency_ms=latency_ms,
    )  # fmt: skip


@transaction.atomic
def _attempt_finish(
    *, delivery_id: Any, attempt_id: int, task_id: str, status_code: int | None, excerpt: str, error: str,
    latency_ms: int,
) -> str:  # fmt: skip
    succeeded = status_code is not None and 200 <= status_code < 300
    WebhookDeliveryAttempt.objects.filter(pk=attempt_id).update(
        outcome=WebhookDeliveryAttempt.Outcome.SUCCEEDED if succeeded else WebhookDeliveryAttempt.Outcome.FAILED,
        status_code=status_code, response_excerpt=excerpt, error=error, latency_ms=latency_ms,
    )  # fmt: skip
    delivery = WebhookDelivery.objects.select_for_update(of=("self",)).select_related("endpoint").get(pk=delivery_id)
    if delivery.status != WebhookDelivery.Status.PENDING or delivery.task_id != task_id:
        return "superseded"  # the recovery sweep or the admin took it over meanwhile
    endpoint, now = delivery.endpoint, timezone.now()
    delivery.lease_expires_at = None
    if succeeded:
        delivery.status, delivery.finished_at = WebhookDelivery.Status.SUCCEEDED, now
        delivery.save()
        if endpoint is not None and endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        _delivery_finished(delivery=delivery, excerpt=excerpt)
        return "succeeded"

    gone = status_code == 410
    refused = status_code is not None and 400 <= status_code < 500 and status_code not in RETRIED_CLIENT_ERRORS
    if gone or refused or delivery.attempt_count >= len(RETRY_SCHEDULE):
        delivery.status, delivery.finished_at = WebhookDelivery.Status.FAILED, now
    else:
        _schedule(delivery, delay=RETRY_SCHEDULE[delivery.attempt_count])
    delivery.save()
    if delivery.status == WebhookDelivery.Status.FAILED:
        _delivery_finished(delivery=delivery, excerpt=excerpt)
    if endpoint is not None:
        if gone:
            webhook_endpoint_disable(endpoint=endpoint, reason="The endpoint answered 410 Gone.", notify=True)
        else:
            _endpoint_failure_note(endpoint=endpoint, now=now)
    return "failed" if delivery.status == WebhookDelivery.Status.FAILED else "retrying"


def _endpoint_failure_note(*, endpoint: WebhookEndpoint, now: Any) -> None:
    """Failing since when? After WEBHOOK_ENDPOINT_DISABLE_AFTER_DAYS of failures the endpoint is disabled."""
    if endpoint.failing_since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    elif now - endpoint.failing_since >= timedelta(days=settings.WEBHOOK_ENDPOINT_DISABLE_AFTER_DAYS):
        days = settings.WEBHOOK_ENDPOINT_DISABLE_AFTER_DAYS
        webhook_endpoint_disable(endpoint=endpoint, reason=f"Every delivery failed for {days} days.", notify=True)


def webhook_delivery_finished_subscribe(listener: DeliveryFinished) -> None:
    """Called from an AppConfig.ready() (integrations.make): this module never imports who listens."""
    if listener not in _finished_listeners:
        _finished_listeners.append(listener)


def _delivery_finished(*, delivery: WebhookDelivery, excerpt: str) -> None:
    for listener in _finished_listeners:
        listener(delivery=delivery, excerpt=excerpt)


@transaction.atomic
def webhook_delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Staff: try a finished delivery once more, with the same webhook-id."""
    delivery = WebhookDelivery.objects.select_for_update(of=("self",)).select_related("endpoint").get(pk=delivery.pk)
    if delivery.status == WebhookDelivery.Status.PENDING:
        raise ApplicationError("The delivery is still being attempted.", code="not_replayable", status_code=409)
    if delivery.endpoint is not None and not delivery.endpoint.is_active:
        raise ApplicationError("Enable the endpoint first.", code="endpoint_disabled", status_code=409)
    delivery.status, delivery.finished_at = WebhookDelivery.Status.PENDING, None
    _schedule(delivery, delay=timedelta(0))
    delivery.save()
    return delivery


def webhook_deliveries_recover(*, lost_after: timedelta = timedelta(minutes=10), limit: int = 500) -> int:
    """Resend deliveries whose worker died mid-attempt (lease over) or whose message was lost."""
    now = timezone.now()
    with transaction.atomic():
        stuck = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True).filter(
                status=WebhookDelivery.Status.PENDING, lease_expires_at__lt=now
            )[:limit]
        )
        lost = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True).filter(
                status=WebhookDelivery.Status.PENDING,
                lease_expires_at__isnull=True,
                next_attempt_at__lt=now - lost_after,
            )[:limit]
        )
        WebhookDeliveryAttempt.objects.filter(
            delivery__in=stuck, outcome=WebhookDeliveryAttempt.Outcome.IN_FLIGHT
        ).update(outcome=WebhookDeliveryAttempt.Outcome.WORKER_LOST, error="The worker stopped during the attempt.")
        for delivery in stuck + lost:
            _schedule(delivery, delay=timedelta(0))
            delivery.save(update_fields=["task_id", "next_attempt_at", "lease_expires_at"])
    return len(stuck) + len(lost)
