"""Inbound webhooks: verify, validate, store, acknowledge; process once in a task."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from djangorestframework_camel_case.util import camelize, underscoreize

from integrations.webhooks.models import InboundWebhook
from integrations.webhooks.registry import InboundEvent, webhook_source_get
from integrations.webhooks.services.signing import webhook_signature_verify
from platform_core.exceptions import ApplicationError
from platform_core.models import DeadLetter
from platform_core.services.dead_letters import dead_letter_replay
from platform_core.services.tasks import task_enqueue
from platform_core.taskbase import RetryableError

logger = logging.getLogger(__name__)

PROCESS_TASK = "integrations.webhooks.tasks.inbound_webhook_process"
# Credentials never land in the stored copy of a request.
UNSTORED_HEADERS = {"authorization", "cookie", "proxy-authorization"}


def _payload_validate(*, source_name: str, body: bytes) -> tuple[str, dict[str, Any], Any]:
    """The event type, the validated payload (snake_case) and its customer; 400 on a bad payload."""
    source = webhook_source_get(source_name)
    assert source is not None
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise ApplicationError("The body is not valid JSON.", code="invalid_json") from exc
    if not isinstance(parsed, dict):
        raise ApplicationError("The body must be a JSON object.", code="invalid_json")
    data = underscoreize(parsed, no_underscore_before_number=True)
    event_type = data.get(source.event_type_field)
    serializer_class = source.serializers.get(event_type) if isinstance(event_type, str) else None
    if serializer_class is None:
        field = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), source.event_type_field)  # as on the wire
        raise ApplicationError(
            f"{field} must be one of the event types this source sends.", code="unknown_event_type",
            details={field: sorted(source.serializers)},
        )  # fmt: skip
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise ApplicationError(
            "The payload has invalid fields.", code="validation_error", details=camelize(serializer.errors)
        )
    validated = dict(serializer.validated_data)
    customer = validated.pop("customer", None)
    return event_type, validated, customer


def inbound_webhook_receive(*, source: str, body: bytes, headers: Mapping[str, str]) -> tuple[InboundWebhook, bool]:
    """Store a verified, valid request and send it to processing; (row, False) for a repeated id."""
    secrets = settings.INBOUND_WEBHOOK_SECRETS.get(source)
    if webhook_source_get(source) is None or not secrets:
        raise ApplicationError(f"No webhook source is called {source!r}.", code="unknown_source", status_code=404)
    webhook_signature_verify(secrets=secrets, body=body, headers=headers)
    webhook_id = headers["webhook-id"][:255]
    event_type, payload, customer = _payload_validate(source_name=source, body=body)
    try:
        with transaction.atomic():
            inbound = InboundWebhook.objects.create(
                source=source, webhook_id=webhook_id, event_type=event_type, customer=customer,
                headers={k.lower(): v for k, v in headers.items() if k.lower() not in UNSTORED_HEADERS},
                body=body.decode(), payload=json.loads(json.dumps(payload, default=str)),
            )  # fmt: skip
            task_enqueue(task_name=PROCESS_TASK, args=[inbound.pk])
    except IntegrityError:
        existing = InboundWebhook.objects.filter(source=source, webhook_id=webhook_id).first()
        if existing is None:
            raise
        return existing, False
    return inbound, True


def inbound_webhook_process(*, inbound_id: int, final_attempt: bool) -> str:
    """Apply the event through its registered handler, once; a failure is raised to be retried."""
    failure: Exception | None = None
    with transaction.atomic():
        inbound = InboundWebhook.objects.select_for_update(of=("self",)).select_related("customer").get(pk=inbound_id)
        if inbound.status == InboundWebhook.Status.PROCESSED:
            return "already_processed"
        source = webhook_source_get(inbound.source)
        handler = source.handlers.get(inbound.event_type) if source else None
        inbound.attempts += 1
        event = InboundEvent(
            source=inbound.source, event_type=inbound.event_type, webhook_id=inbound.webhook_id,
            customer=inbound.customer, data=inbound.payload, received_at=inbound.received_at, inbound_id=inbound.pk,
        )  # fmt: skip
        try:
            with transaction.atomic():  # a failing handler leaves no partial write
                if source is None or handler is None:
                    raise ApplicationError(
                        f"No handler is registered for {inbound.source}/{inbound.event_type}.", code="no_handler"
                    )
                handler(event)
                if source.after_handle:
                    source.after_handle(event)
        except Exception as exc:
            failure = exc
            inbound.status = InboundWebhook.Status.FAILED if final_attempt else InboundWebhook.Status.RECEIVED
            inbound.error = f"{type(exc).__name__}: {exc}"[:2000]
        else:
            inbound.status, inbound.error, inbound.processed_at = InboundWebhook.Status.PROCESSED, "", timezone.now()
        inbound.save(update_fields=["status", "attempts", "error", "processed_at"])
    if failure is not None:
        logger.warning("inbound webhook %s failed (attempt %s): %s", inbound_id, inbound.attempts, inbound.error)
        raise RetryableError(inbound.error, code="webhook_processing_failed") from failure
    return "processed"


@transaction.atomic
def inbound_webhook_replay(*, inbound: InboundWebhook) -> InboundWebhook:
    """Staff: process a failed webhook again (after the cause was fixed)."""
    inbound = InboundWebhook.objects.select_for_update().get(pk=inbound.pk)
    if inbound.status == InboundWebhook.Status.PROCESSED:
        raise ApplicationError("This webhook was processed already.", code="not_replayable", status_code=409)
    inbound.status = InboundWebhook.Status.RECEIVED
    inbound.save(update_fields=["status"])
    letter = DeadLetter.objects.filter(
        task_name=PROCESS_TASK, args=[inbound.pk], status__in=[DeadLetter.Status.OPEN, DeadLetter.Status.DISCARDED]
    ).first()
    if letter is not None:  # the replay resolves the dead letter once it succeeds
        dead_letter_replay(letter=letter)
    else:
        task_enqueue(task_name=PROCESS_TASK, args=[inbound.pk])
    return inbound


def inbound_webhooks_requeue_stale(*, older_than: timedelta = timedelta(minutes=5), limit: int = 1000) -> int:
    """Resend the stored webhooks whose processing message never ran (e.g. the broker was down)."""
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        stale = list(
            InboundWebhook.objects.filter(
                status=InboundWebhook.Status.RECEIVED, attempts=0, received_at__lt=cutoff
            ).values_list("pk", flat=True)[:limit]
        )
        for pk in stale:
            task_enqueue(task_name=PROCESS_TASK, args=[pk])
    return len(stale)
