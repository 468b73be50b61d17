"""Reads of the Airtable sync, always scoped to the caller's customer (another's object is a 404)."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from integrations.airtable.models import (
    AirtableConflict,
    AirtableConnection,
    AirtableRecordChange,
    AirtableSyncRun,
)
from platform_core.models import User


def airtable_connection_list(*, user: User) -> QuerySet[AirtableConnection]:
    return AirtableConnection.objects.filter(customer_id=user.customer_id).prefetch_related("tables")


def airtable_connection_get(*, user: User, connection_id: UUID | str) -> AirtableConnection:
    return airtable_connection_list(user=user).get(pk=connection_id)


def airtable_run_list(*, user: User, connection_id: UUID | str) -> QuerySet[AirtableSyncRun]:
    return AirtableSyncRun.objects.filter(connection__customer_id=user.customer_id, connection_id=connection_id)


def airtable_run_get(*, user: User, run_id: UUID | str) -> AirtableSyncRun:
    return AirtableSyncRun.objects.get(connection__customer_id=user.customer_id, pk=run_id)


def airtable_change_list(*, user: User, run_id: UUID | str) -> QuerySet[AirtableRecordChange]:
    return AirtableRecordChange.objects.filter(run__connection__customer_id=user.customer_id, run_id=run_id)


def airtable_conflict_list(*, user: User, connection_id: UUID | str) -> QuerySet[AirtableConflict]:
    return AirtableConflict.objects.filter(connection__customer_id=user.customer_id, connection_id=connection_id)
