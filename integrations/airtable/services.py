"""Every write of the Airtable sync: connections, starting runs, and the outbox flush.
The sync of one table (pull, push, conflicts) is in integrations.airtable.sync."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from integrations.airtable import mapping as mapping_defaults
from integrations.airtable.client import AirtableClient, AirtableRejected, AirtableSchemaMismatch
from integrations.airtable.crypto import token_decrypt, token_encrypt
from integrations.airtable.models import (
    AirtableConflict,
    AirtableConnection,
    AirtableOutboundChange,
    AirtableSyncRun,
    AirtableTableMapping,
    Direction,
)
from integrations.airtable.outbox import applying_pull, push_targets_forget
from integrations.airtable.registry import ApplyItem, airtable_entity_get
from platform_core.exceptions import ApplicationError
from platform_core.models import Customer, Job, User
from platform_core.services.jobs import job_create

SYNC_TASK = "integrations.airtable.tasks.airtable_sync_table"


def _tables_clean(tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    clean, seen = [], set()
    for i, table in enumerate(tables):
        entity = table.get("entity")
        if entity not in mapping_defaults.DEFAULT_TABLES:
            raise ApplicationError(
                f"Unknown entity {entity!r}.",
                code="invalid_field_mapping",
                status_code=400,
                details={"index": i, "allowed": sorted(mapping_defaults.DEFAULT_TABLES)},
            )
        if entity in seen:
            raise ApplicationError(
                f"Entity {entity!r} is mapped twice.", code="invalid_field_mapping", details={"index": i}
            )
        seen.add(entity)
        default = mapping_defaults.DEFAULT_TABLES[entity]
        adapter = airtable_entity_get(entity)
        if (table.get("direction") or default.direction) != Direction.PUSH and adapter and adapter.apply is None:
            raise ApplicationError(
                f"{entity!r} can only be pushed to Airtable.", code="invalid_field_mapping", details={"index": i}
            )
        fields = table.get("fields")
        clean.append(
            {
                "entity": entity,
                "table_name": table.get("table_name") or default.table_name,
                "key_field": table.get("key_field") or default.key_field,
                "modified_field": table.get("modified_field") or default.modified_field,
                "direction": table.get("direction") or default.direction,
                "enabled": table.get("enabled", True),
                "fields": mapping_defaults.validate_fields(fields)
                if fields is not None
                else mapping_defaults.default_fields(entity),
            }
        )
    return clean


def _tables_save(connection: AirtableConnection, tables: list[dict[str, Any]]) -> None:
    for table in _tables_clean(tables):
        entity = table.pop("entity")
        AirtableTableMapping.objects.update_or_create(connection=connection, entity=entity, defaults=table)


@transaction.atomic
def airtable_connection_create(
    *,
    customer: Customer,
    user: User | None,
    base_id: str,
    token: str,
    name: str = "",
    tables: list[dict[str, Any]] | None = None,
) -> AirtableConnection:
    """A connection with the three legacy tables mapped by default (or the given ones)."""
    if AirtableConnection.objects.filter(customer=customer, base_id=base_id).exists():
        raise ApplicationError(
            "This base is already connected.", code="airtable_base_already_connected", status_code=409
        )
    connection = AirtableConnection.objects.create(
        customer=customer, created_by=user, base_id=base_id, name=name, token_encrypted=token_encrypt(token)
    )
    _tables_save(connection, tables if tables is not None else [{"entity": e} for e in mapping_defaults.DEFAULT_TABLES])
    transaction.on_commit(lambda: push_targets_forget(customer_id=customer.pk))
    return connection


@transaction.atomic
def airtable_connection_update(
    *,
    connection: AirtableConnection,
    name: str | None = None,
    token: str | None = None,
    status: str | None = None,
    tables: list[dict[str, Any]] | None = None,
) -> AirtableConnection:
    if name is not None:
        connection.name = name
    if token is not None:
        connection.token_encrypted = token_encrypt(token)
        connection.status, connection.last_error_code, connection.last_error = AirtableConnection.Status.ACTIVE, "", ""
    if status is not None:
        connection.status = status
    connection.save()
    if tables is not None:
        _tables_save(connection, tables)
    transaction.on_commit(lambda: push_targets_forget(customer_id=connection.customer_id))
    return connection


@transaction.atomic
def airtable_connection_delete(*, connection: AirtableConnection) -> None:
    customer_id = connection.customer_id
    connection.delete()
    transaction.on_commit(lambda: push_targets_forget(customer_id=customer_id))


def airtable_client(connection: AirtableConnection, **kwargs: Any) -> AirtableClient:
    return AirtableClient(token_decrypt(connection.token_encrypted), base_id=connection.base_id, **kwargs)


def airtable_connection_mark(*, connection: AirtableConnection, error: ApplicationError | None) -> None:
    """Record the outcome of talking to Airtable: failing with the error's code, or active again."""
    fields: dict[str, Any] = {"last_checked_at": timezone.now(), "updated_at": timezone.now()}
    if error is None:
        fields.update(last_error_code="", last_error="")
        AirtableConnection.objects.filter(pk=connection.pk, status=AirtableConnection.Status.FAILING).update(
            status=AirtableConnection.Status.ACTIVE
        )
    else:
        fields.update(last_error_code=error.code, last_error=error.message)
        AirtableConnection.objects.filter(pk=connection.pk).exclude(status=AirtableConnection.Status.PAUSED).update(
            status=AirtableConnection.Status.FAILING
        )
    AirtableConnection.objects.filter(pk=connection.pk).update(**fields)


def schema_verify(*, mappings: list[AirtableTableMapping], tables: dict[str, set[str]]) -> None:
    """Every mapped table and field exists: else airtable_schema_mismatch naming the first missing one."""
    for table in mappings:
        if table.table_name not in tables:
            raise AirtableSchemaMismatch(f"The base has no table {table.table_name!r}.", table=table.table_name)
        names = [table.key_field, table.modified_field, *(f["airtable"] for f in table.fields)]
        for name in names:
            if name not in tables[table.table_name]:
                raise AirtableSchemaMismatch(
                    f"Table {table.table_name!r} has no field {name!r}.", table=table.table_name, field=name
                )


def airtable_connection_check(*, connection: AirtableConnection) -> AirtableConnection:
    """Try the token and the mapped tables now (one request); marks the connection either way."""
    mappings = list(connection.tables.filter(enabled=True))
    try:
        schema_verify(mappings=mappings, tables=airtable_client(connection).base_tables())
    except ApplicationError as exc:  # refused token, schema mismatch, Airtable down (503 airtable_unavailable)
        airtable_connection_mark(connection=connection, error=exc)
        raise
    except AirtableRejected as exc:  # any other 4xx on the base's schema
        error = ApplicationError(
            f"Airtable refused to show the base's tables: {exc}", code="airtable_rejected", status_code=422
        )
        airtable_connection_mark(connection=connection, error=error)
        raise error from None
    airtable_connection_mark(connection=connection, error=None)
    connection.refresh_from_db()
    return connection


@transaction.atomic
def airtable_sync_start(
    *,
    connection: AirtableConnection,
    user: User | None,
    direction: str = Direction.BOTH,
    mode: str = AirtableSyncRun.Mode.INCREMENTAL,
    trigger: str = AirtableSyncRun.Trigger.API,
) -> AirtableSyncRun:
    """A run with one job per enabled table (they share the base's limit, on any worker)."""
    connection = AirtableConnection.objects.select_for_update().get(pk=connection.pk)
    if connection.status == AirtableConnection.Status.PAUSED:
        raise ApplicationError("The connection is paused.", code="airtable_connection_paused", status_code=409)
    if connection.runs.filter(status=AirtableSyncRun.Status.RUNNING).exists():
        raise ApplicationError(
            "A sync of this connection is already running.", code="airtable_sync_running", status_code=409
        )
    mappings = [
        m
        for m in connection.tables.filter(enabled=True)
        if direction == Direction.BOTH or m.direction in (Direction.BOTH, direction)
    ]
    if not mappings:
        raise ApplicationError("No enabled table syncs that way.", code="airtable_nothing_to_sync", status_code=409)
    run = AirtableSyncRun.objects.create(
        connection=connection,
        started_by=user,
        trigger=trigger,
        direction=direction,
        mode=mode,
        parts_total=len(mappings),
    )
    jobs = [
        job_create(
            kind="airtable_sync",
            task_name=SYNC_TASK,
            customer=connection.customer,
            user=user,
            input={"run_id": str(run.pk), "mapping_id": m.pk, "entity": m.entity},
            max_attempts=3,
            message=f"Queued: {m.table_name}",
        )
        for m in mappings
    ]
    run.job_ids = [str(job.pk) for job in jobs]
    run.save(update_fields=["job_ids"])
    return run


def airtable_run_part_finished(*, run_id: str, error: ApplicationError | None = None, **counters: int) -> None:
    """Add one table's counters to its run; the last part finishes the run."""
    with transaction.atomic():
        run = AirtableSyncRun.objects.select_for_update().get(pk=run_id)
        for name, value in counters.items():
            setattr(run, name, F(name) + value)
        run.parts_done = F("parts_done") + 1
        if error is not None:
            run.parts_failed = F("parts_failed") + 1
            run.error_code, run.error = run.error_code or error.code, run.error or error.message
        run.save()
        run.refresh_from_db()
        if run.parts_done >= run.parts_total and run.finished_at is None:
            now = timezone.now()
            run.status = AirtableSyncRun.Status.FAILED if run.parts_failed else AirtableSyncRun.Status.SUCCEEDED
            run.finished_at = now
            run.duration_ms = int((now - run.started_at).total_seconds() * 1000)
            run.save(update_fields=["status", "finished_at", "duration_ms"])


def airtable_run_add_counters(*, run_id: str, **counters: int) -> None:
    """Counters of an attempt that will be retried (its requests and 429s still happened)."""
    AirtableSyncRun.objects.filter(pk=run_id).update(**{k: F(k) + v for k, v in counters.items()})


@transaction.atomic
def airtable_conflict_resolve(*, conflict: AirtableConflict, winner: str, user: User | None) -> AirtableConflict:
    """Staff re-resolution: the chosen side's value is written to the other side (now or next push)."""
    conflict = AirtableConflict.objects.select_for_update().select_related("mapping", "connection").get(pk=conflict.pk)
    if winner == AirtableConflict.Winner.PLATFORM:
        AirtableOutboundChange.objects.create(
            connection=conflict.connection,
            entity=conflict.entity,
            key=conflict.key,
            fields={conflict.field: conflict.platform_value},
        )
    elif winner == AirtableConflict.Winner.AIRTABLE:
        adapter = airtable_entity_get(conflict.entity)
        if adapter is None or adapter.apply is None:
            raise ApplicationError("This entity cannot be written from Airtable.", code="airtable_push_only")
        with applying_pull():
            result = adapter.apply(
                conflict.connection.customer,
                [ApplyItem(key=conflict.key, values={conflict.field: conflict.airtable_value})],
            )[conflict.key]
        if result.error:
            raise ApplicationError(result.error, code="airtable_apply_failed")
        conflict.mapping.states.filter(key=conflict.key).update(values=_merged_state(conflict))
    else:
        raise ApplicationError("winner must be platform or airtable.", code="invalid", details={"field": "winner"})
    conflict.winner, conflict.resolved_by, conflict.resolved_at = winner, user, timezone.now()
    conflict.reason = f"Re-resolved by {user.email if user else 'staff'}: {winner} value kept."
    conflict.save(update_fields=["winner", "resolved_by", "resolved_at", "reason"])
    return conflict


def _merged_state(conflict: AirtableConflict) -> dict[str, Any]:
    state = conflict.mapping.states.filter(key=conflict.key).first()
    values = dict(state.values) if state else {}
    values[conflict.field] = conflict.airtable_value
    return values


def airtable_outbox_flush() -> int:
    """Start a push for each connection with waiting changes and no run going (beat, every minute)."""
    started = 0
    connection_ids = set(
        AirtableOutboundChange.objects.filter(sent_at__isnull=True).values_list("connection_id", flat=True).distinct()
    )
    for connection in AirtableConnection.objects.filter(pk__in=connection_ids, status=AirtableConnection.Status.ACTIVE):
        try:
            airtable_sync_start(
                connection=connection, user=None, direction=Direction.PUSH, trigger=AirtableSyncRun.Trigger.SCHEDULE
            )
            started += 1
        except ApplicationError:
            continue  # running already, or nothing pushes: the next flush looks again
    return started


def job_run_ids(job: Job) -> tuple[str, int]:
    return job.input["run_id"], int(job.input["mapping_id"])
