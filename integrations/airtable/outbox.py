"""Outbound change capture, called by domain services when a mapped entity changes.

Cheap on the hot path: which entities a customer pushes is cached (Redis, dropped whenever a
connection or mapping changes), so a customer without Airtable costs one cache read and no SQL;
one with a connection costs one INSERT in the caller's transaction (a true outbox: the change and
its record commit together). Changes applied by a pull are not echoed back.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from platform_core.models import Customer

CACHE_TTL = 3600
_applying_pull = contextvars.ContextVar("airtable_applying_pull", default=False)


def _cache_key(customer_id: int) -> str:
    return f"airtable:push-targets:{customer_id}"


def push_targets_forget(*, customer_id: int) -> None:
    cache.delete(_cache_key(customer_id))


def _push_targets(customer_id: int) -> dict[str, list[str]]:
    """{entity: [connection ids]} of the customer's connections that push that entity."""
    targets = cache.get(_cache_key(customer_id))
    if targets is None:
        from integrations.airtable.models import AirtableConnection, AirtableTableMapping, Direction

        targets = {}
        rows = AirtableTableMapping.objects.filter(
            connection__customer_id=customer_id, enabled=True, direction__in=[Direction.BOTH, Direction.PUSH]
        ).exclude(connection__status=AirtableConnection.Status.PAUSED)
        for entity, connection_id in rows.values_list("entity", "connection_id"):
            targets.setdefault(entity, []).append(str(connection_id))
        cache.set(_cache_key(customer_id), targets, CACHE_TTL)
    return targets


@contextmanager
def applying_pull() -> Iterator[None]:
    token = _applying_pull.set(True)
    try:
        yield
    finally:
        _applying_pull.reset(token)


def airtable_change_enqueue(
    *,
    customer: Customer | int | None,
    entity: str,
    key: str,
    fields: dict[str, Any] | Callable[[], dict[str, Any]],
) -> int:
    """Queue `fields` (platform field names, JSON values) of one entity for the next push; a
    callable is only called when the customer syncs that entity (values that cost a query)."""
    if customer is None or _applying_pull.get():
        return 0
    customer_id = customer if isinstance(customer, int) else customer.pk
    connection_ids = _push_targets(customer_id).get(entity)
    if not connection_ids:
        return 0
    from integrations.airtable.models import AirtableOutboundChange

    if callable(fields):
        fields = fields()
    now = timezone.now()
    AirtableOutboundChange.objects.bulk_create(
        [
            AirtableOutboundChange(connection_id=cid, entity=entity, key=str(key), fields=fields, changed_at=now)
            for cid in connection_ids
        ]
    )
    return len(connection_ids)
