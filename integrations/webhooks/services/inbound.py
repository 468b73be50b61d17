"""Inbound webhooks: verify, validate, store, acknowledge; processed once by drains on the queue."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import traceback
from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache
from typing import Any, NamedTuple

import pydantic
from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from djangorestframework_camel_case.util import camel_to_underscore

from integrations.webhooks.models import InboundWebhook
from integrations.webhooks.registry import InboundEvent, webhook_handler_get, webhook_source_get
from integrations.webhooks.services.signing import webhook_signature_verify
from platform_core.exceptions import ApplicationError
from platform_core.models import Customer
from platform_core.services.dead_letters import dead_letter_record
from platform_core.services.replay import dead_letters_follow_replay, dead_letters_follow_success
from platform_core.services.tasks import task_enqueue
from platform_core.taskbase import backoff_delay

logger = logging.getLogger(__name__)

PROCESS_TASK = "integrations.webhooks.tasks.inbound_webhook_process"
DRAIN_TASK = "integrations.webhooks.tasks.inbound_webhooks_drain"
# A drain starts DRAIN_DELAY after it is requested and a process requests one at most every
# DRAIN_REQUEST_EVERY: every row the process stores in between is committed before that drain looks.
# The difference is the margin for clock skew between web and worker hosts.
DRAIN_DELAY = 0.25
DRAIN_REQUEST_EVERY = 0.2
CLAIM_LEASE_SECONDS = 120
# Credentials never land in the stored copy of a request.
UNSTORED_HEADERS = {"authorization", "cookie", "proxy-authorization"}


@lru_cache(maxsize=4096)
def _snake_case(key: str) -> str:
    return camel_to_underscore(key, no_underscore_before_number=True)


@lru_cache(maxsize=4096)
def _camel_case(key: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), key)


def _underscoreize(data: Any) -> Any:
    """The API's camelCase → snake_case of JSON keys, with each key's conversion remembered: the
    same few keys arrive in every webhook, and the library compiles a regex per key."""
    if isinstance(data, dict):
        return {_snake_case(k): _underscoreize(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_underscoreize(v) for v in data]
    return data


def _error_details(exc: pydantic.ValidationError) -> dict[str, Any]:
    """pydantic's errors in the API's shape: {"processedContent": {"title": ["Field required"]}}."""
    details: dict[str, Any] = {}
    for error in exc.errors(include_url=False, include_context=False, include_input=False):
        *parents, leaf = [_camel_case(str(part)) for part in error["loc"]] or ["nonFieldErrors"]
        node = details
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):  # the parent has an error of its own: that one is shown
                break
        else:
            if isinstance(messages := node.setdefault(leaf, []), list):
                messages.append(error["msg"])
    return details


def _payload_validate(*, source_name: str, body: bytes) -> tuple[str, str, int | None]:
    """The event type, the validated payload (snake_case, as JSON) and its customer; 400 on a bad payload."""
    source = webhook_source_get(source_name)
    assert source is not None
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise ApplicationError("The body is not valid JSON.", code="invalid_json") from exc
    if not isinstance(parsed, dict):
        raise ApplicationError("The body must be a JSON object.", code="invalid_json")
    data = _underscoreize(parsed)
    event_type = data.get(source.event_type_field)
    model = source.payloads.get(event_type) if isinstance(event_type, str) else None
    if model is None:
        field = _camel_case(source.event_type_field)  # as on the wire
        raise ApplicationError(
            f"{field} must be one of the event types this source sends.", code="unknown_event_type",
            details={field: sorted(source.payloads)},
        )  # fmt: skip
    try:
        validated = model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ApplicationError(
            "The payload has invalid fields.", code="validation_error", details=_error_details(exc)
        ) from exc
    return event_type, validated.model_dump_json(exclude={"customer_pk"}), getattr(validated, "customer_pk", None)


# One statement: stored unless the id was seen (ON CONFLICT) or the customer does not exist.
_INSERT = f"""
INSERT INTO {InboundWebhook._meta.db_table}
    (source, webhook_id, event_type, customer_id, headers, body, payload, status, attempts, error,
     received_at, next_attempt_at)
SELECT %(source)s, %(webhook_id)s, %(event_type)s, %(customer_id)s, %(headers)s, %(body)s, %(payload)s,
       '{InboundWebhook.Status.RECEIVED.value}', 0, '', now(), now()
WHERE %(customer_id)s::bigint IS NULL
   OR EXISTS (SELECT 1 FROM {Customer._meta.db_table} WHERE id = %(customer_id)s)
ON CONFLICT (source, webhook_id) DO NOTHING
RETURNING id
"""  # noqa: S608 - table names from _meta, values are parameters


# Due rows taken with a lease (SKIP LOCKED: parallel drains split the work).
_CLAIM = f"""
UPDATE {InboundWebhook._meta.db_table} SET next_attempt_at = now() + %s * interval '1 second'
WHERE id IN (
    SELECT id FROM {InboundWebhook._meta.db_table}
    WHERE status = '{InboundWebhook.Status.RECEIVED.value}' AND next_attempt_at <= now()
    ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED
)
RETURNING id
"""  # noqa: S608 - table names from _meta, values are parameters


class Receipt(NamedTuple):
    webhook_id: str
    status: str  # of the stored row
    created: bool  # False: the id was received before


def inbound_webhook_receive(*, source: str, body: bytes, headers: Mapping[str, str]) -> Receipt:
    """Store a verified, valid request and have it processed; created=False for a repeated id.

    The hot path of intake: one INSERT, no round trip to Redis or the broker per request (a drain
    takes the stored rows in batches, see inbound_webhooks_drain_request)."""
    secrets = settings.INBOUND_WEBHOOK_SECRETS.get(source)
    registered = webhook_source_get(source)
    if registered is None or not secrets:
        raise ApplicationError(f"No webhook source is called {source!r}.", code="unknown_source", status_code=404)
    webhook_signature_verify(secrets=secrets, body=body, headers=headers)
    webhook_id = headers["webhook-id"][:255]
    event_type, payload, customer_pk = _payload_validate(source_name=source, body=body)
    stored_headers = {k.lower(): v for k, v in headers.items() if k.lower() not in UNSTORED_HEADERS}
    # One INSERT ... ON CONFLICT is atomic on its own: no BEGIN/COMMIT round trips around it.
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, {
            "source": source, "webhook_id": webhook_id, "event_type": event_type, "customer_id": customer_pk,
            "headers": json.dumps(stored_headers), "body": body.decode(), "payload": payload,
        })  # fmt: skip
        row = cursor.fetchone()
    if row is not None:
        transaction.on_commit(inbound_webhooks_drain_request, robust=True)  # beat drains too
        return Receipt(webhook_id, InboundWebhook.Status.RECEIVED, created=True)
    stored = InboundWebhook.objects.filter(source=source, webhook_id=webhook_id).values_list("status", flat=True)
    status = stored.first()
    if status is None:
        raise ApplicationError(
            "The payload has invalid fields.", code="validation_error",
            details={registered.customer_field: ["No customer has this id."]},
        )  # fmt: skip
    return Receipt(webhook_id, status, created=False)


_drain_requested_at = float("-inf")  # monotonic; per process


def inbound_webhooks_drain_request() -> None:
    """Have a drain run after the row this process just committed: one broker message per
    DRAIN_REQUEST_EVERY per process however many arrive, and no round trip per webhook."""
    global _drain_requested_at
    now = time.monotonic()
    if now - _drain_requested_at >= DRAIN_REQUEST_EVERY:
        _drain_requested_at = now
        # Off the request: with the broker down a publish waits for a connection (8 s measured) and the row is
        # stored already; it waits for the next arrival's drain or beat's.
        threading.Thread(target=_drain_send, name="webhook-drain-request", daemon=True).start()


def _drain_send() -> None:
    try:
        current_app.send_task(DRAIN_TASK, countdown=DRAIN_DELAY, retry=False)
    except Exception as exc:
        logger.warning("drain request not sent (broker unavailable?): %s", exc)


def inbound_webhooks_drain(*, batch_size: int = 100, max_seconds: float = 50.0) -> int:
    """Process every due stored webhook, a claimed batch at a time (drains in parallel split the work)."""
    processed, started = 0, time.monotonic()
    while ids := _claim(batch_size):
        for inbound_id in ids:
            inbound_webhook_process(inbound_id=inbound_id)
            processed += 1
        if time.monotonic() - started > max_seconds:  # under the task's time limit: a new drain goes on
            current_app.send_task(DRAIN_TASK)
            break
    return processed


def _claim(batch_size: int) -> list[int]:
    """Take due rows with a lease: a worker that dies leaves them due again when it ends."""
    with connection.cursor() as cursor:
        cursor.execute(
            _CLAIM,
            [CLAIM_LEASE_SECONDS, batch_size],
        )
        return sorted(row[0] for row in cursor.fetchall())


@transaction.atomic
def inbound_webhook_process(*, inbound_id: int) -> str:
    """Apply one stored webhook through its registered handler, once. A failure is retried later
    with backoff; after WEBHOOK_PROCESS_MAX_ATTEMPTS it fails and leaves a dead letter."""
    inbound = InboundWebhook.objects.select_for_update(of=("self",)).select_related("customer").get(pk=inbound_id)
    if inbound.status == InboundWebhook.Status.PROCESSED:
        return "already_processed"
    source = webhook_source_get(inbound.source)
    handler = webhook_handler_get(source=inbound.source, event_type=inbound.event_type)
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
        inbound.error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning("inbound webhook %s failed (attempt %s): %s", inbound.pk, inbound.attempts, inbound.error)
        if inbound.attempts >= settings.WEBHOOK_PROCESS_MAX_ATTEMPTS:
            inbound.status = InboundWebhook.Status.FAILED
            dead_letter_record(
                task_name=PROCESS_TASK, task_id=f"inbound-{inbound.pk}", args=[inbound.pk], kwargs={},
                error=inbound.error, traceback=traceback.format_exc(), attempts=inbound.attempts,
            )  # fmt: skip
        else:
            delay = backoff_delay(inbound.attempts, base=settings.WEBHOOK_PROCESS_RETRY_SECONDS, cap=3600)
            inbound.next_attempt_at = timezone.now() + timedelta(seconds=delay)
            task_enqueue(task_name=PROCESS_TASK, args=[inbound.pk], eta=inbound.next_attempt_at)
        inbound.save(update_fields=["status", "attempts", "error", "next_attempt_at"])
        return "failed" if inbound.status == InboundWebhook.Status.FAILED else "retrying"
    if inbound.error:  # it had failed: a replayed dead letter is resolved now
        dead_letters_follow_success(task_name=PROCESS_TASK, args=[inbound.pk])
    inbound.status, inbound.error, inbound.processed_at = InboundWebhook.Status.PROCESSED, "", timezone.now()
    inbound.save(update_fields=["status", "attempts", "error", "processed_at"])
    return "processed"


@transaction.atomic
def inbound_webhook_replay(*, inbound: InboundWebhook) -> InboundWebhook:
    """Staff: process a failed webhook again (after the cause was fixed); its dead letter follows."""
    inbound = InboundWebhook.objects.select_for_update().get(pk=inbound.pk)
    if inbound.status == InboundWebhook.Status.PROCESSED:
        raise ApplicationError("This webhook was processed already.", code="not_replayable", status_code=409)
    inbound.status, inbound.attempts, inbound.next_attempt_at = InboundWebhook.Status.RECEIVED, 0, timezone.now()
    inbound.save(update_fields=["status", "attempts", "next_attempt_at"])
    # Its dead letter waits: resolved when the webhook is processed, reopened if it fails for good again.
    dead_letters_follow_replay(task_name=PROCESS_TASK, args=[inbound.pk])
    task_enqueue(task_name=PROCESS_TASK, args=[inbound.pk])
    return inbound
