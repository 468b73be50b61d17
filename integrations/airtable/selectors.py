"""Reads of the Airtable sync, always scoped to the caller's customer (another's object is a 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from integrations.airtable.models import (
    AirtableConflict,
    AirtableConnection,
    AirtableRecordChange,
    AirtableSyncRun,
)
from platform_core.models import User
from platform_core.selectors.customers import customer_for_user


def airtable_connection_list(*, user: User) -> QuerySet[AirtableConnection]:
    return AirtableConnection.objects.filter(customer=customer_for_user(user=user)).prefetch_related("tables")


def airtable_connection_get(*, user: User, connection_id: Any) -> AirtableConnection:
    """Raises AirtableConnection.DoesNotExist for another customer's connection (the API answers 404)."""
    return airtable_connection_list(user=user).get(pk=connection_id)


def airtable_run_list(*, user: User, connection_id: Any) -> QuerySet[AirtableSyncRun]:
    return AirtableSyncRun.objects.filter(
        connection__in=airtable_connection_list(user=user), connection_id=connection_id
    ).select_related("started_by")


def airtable_run_get(*, user: User, run_id: Any) -> AirtableSyncRun:
    return AirtableSyncRun.objects.filter(connection__in=airtable_connection_list(user=user)).get(pk=run_id)


def airtable_change_list(*, user: User, run_id: Any) -> QuerySet[AirtableRecordChange]:
    runs = AirtableSyncRun.objects.filter(connection__in=airtable_connection_list(user=user), pk=run_id)
    return AirtableRecordChange.objects.filter(run__in=runs)


def airtable_conflict_list(*, user: User, connection_id: Any) -> QuerySet[AirtableConflict]:
    return AirtableConflict.objects.filter(
        connection__in=airtable_connection_list(user=user), connection_id=connection_id
    )
