"""The sync of one table: pull (Airtable -> platform) then push (platform -> Airtable).

Change detection: each record's state holds the values both sides agreed on at the last sync.
A pulled field differing from it changed in Airtable; a waiting outbox change differing from it
changed on the platform; both, to different values, is a conflict settled by the field's rule.
Pulls read what changed after the table's cursor (the newest modified time seen, never later
than the pull's start minus an overlap for clock skew; records seen before are de-duplicated)
and page by 100; pushes upsert by the key field in batches of 10.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pyairtable import Table

from integrations.airtable import metrics
from integrations.airtable.client import AirtableClient, AirtableRejected
from integrations.airtable.mapping import (
    FieldMap,
    airtable_time,
    field_maps,
    from_airtable,
    parse_airtable_time,
    to_airtable,
)
from integrations.airtable.models import (
    AirtableConflict,
    AirtableOutboundChange,
    AirtableRecordChange,
    AirtableRecordState,
    AirtableSyncRun,
    AirtableTableMapping,
    Direction,
)
from integrations.airtable.outbox import applying_pull
from integrations.airtable.registry import ApplyItem, ApplyResult, EntityAdapter
from platform_core.models import Job
from platform_core.services.jobs import job_progress

PAGE_SIZE = 100
BATCH_SIZE = 10
PUSH_CHUNK = 1000  # outbox rows handled per round


@dataclass
class Counters:
    records_read: int = 0
    records_created: int = 0
    records_updated: int = 0
    records_skipped: int = 0
    conflicts: int = 0
    errors: int = 0

    def count(self, direction: str, action: str, n: int = 1) -> None:
        if n:
            attr = {"created": "records_created", "updated": "records_updated", "failed": "errors"}.get(
                action, "records_skipped"
            )
            setattr(self, attr, getattr(self, attr) + n)
            metrics.records_total.labels(direction=direction, action=action).inc(n)


@dataclass
class Pending:
    """A key's waiting platform changes, merged in order."""

    fields: dict[str, Any] = field(default_factory=dict)
    changed_at: datetime | None = None
    ids: list[int] = field(default_factory=list)


def _pending(mapping: AirtableTableMapping, keys: list[str] | None) -> dict[str, Pending]:
    rows = AirtableOutboundChange.objects.filter(
        connection_id=mapping.connection_id, entity=mapping.entity, sent_at__isnull=True
    )
    if keys is not None:
        rows = rows.filter(key__in=keys)
    merged: dict[str, Pending] = {}
    for row in rows.order_by("id")[:PUSH_CHUNK] if keys is None else rows.order_by("id"):
        p = merged.setdefault(row.key, Pending())
        p.fields.update(row.fields)
        p.changed_at = row.changed_at
        p.ids.append(row.pk)
    return merged


def _prefetched(pages: Iterable[list[Any]], depth: int = 2) -> Iterator[list[Any]]:
    """Fetch the next pages (offset pagination is sequential) while the current one is written."""
    box: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def fetch() -> None:
        try:
            for page in pages:
                while not stop.is_set():
                    try:
                        box.put(("page", page), timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            box.put(("end", None))
        except BaseException as exc:  # handed to the consumer, raised there
            box.put(("error", exc))

    thread = threading.Thread(target=fetch, name="airtable-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = box.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()


def _decide(rule: str, platform_at: datetime | None, airtable_at: datetime | None) -> tuple[str, str]:
    if rule == "platform":
        return "platform", "Platform-owned field (computed on the platform): the platform wins."
    if rule == "airtable":
        return "airtable", "Field edited by staff in Airtable: Airtable wins."
    if airtable_at and (platform_at is None or airtable_at > platform_at):
        return "airtable", f"Last writer wins: Airtable changed it at {airtable_at.isoformat()}, later."
    return (
        "platform",
        f"Last writer wins: the platform changed it at {platform_at.isoformat() if platform_at else '?'}, later.",
    )


class TableSync:
    def __init__(
        self,
        *,
        job: Job,
        run: AirtableSyncRun,
        mapping: AirtableTableMapping,
        adapter: EntityAdapter,
        client: AirtableClient,
    ) -> None:
        self.job, self.run, self.mapping, self.adapter, self.client = job, run, mapping, adapter, client
        self.customer = mapping.connection.customer
        self.fields: list[FieldMap] = field_maps(mapping.fields)
        self.by_platform = {f.platform: f for f in self.fields}
        self.table: Table = client.table(mapping.connection.base_id, mapping.table_name)
        self.counters = Counters()
        self._modified: dict[str, datetime | None] = {}

    # --- pull ----------------------------------------------------------------------------------
    def pull(self) -> None:
        mapping = self.mapping
        formula = None
        started = timezone.now()
        if self.run.mode == AirtableSyncRun.Mode.INCREMENTAL and mapping.cursor is not None:
            formula = f"IS_AFTER({{{mapping.modified_field}}}, DATETIME_PARSE('{airtable_time(mapping.cursor)}'))"
        names = [mapping.key_field, mapping.modified_field, *(f.airtable for f in self.fields)]
        newest: datetime | None = None
        options: dict[str, Any] = {"page_size": PAGE_SIZE, "fields": names}
        if formula:
            options["formula"] = formula
        for pages, page in enumerate(_prefetched(self.table.iterate(**options)), start=1):
            self.counters.records_read += len(page)
            for record in page:
                modified = parse_airtable_time(record["fields"].get(mapping.modified_field))
                if modified and (newest is None or modified > newest):
                    newest = modified
            self._pull_page(page)
            job_progress(
                job=self.job,
                progress=min(45, pages),
                message=f"{mapping.table_name}: read {self.counters.records_read}",
            )
        # Next time, read what changed after the newest change seen -- but never after this pull
        # began (minus the clock skew allowed): a record edited on a page already read is re-read.
        cursor = started - timedelta(seconds=settings.AIRTABLE_CURSOR_OVERLAP_SECONDS)
        if newest is not None:
            cursor = min(cursor, newest)
        elif mapping.cursor is not None:
            cursor = mapping.cursor
        if mapping.cursor is None or cursor > mapping.cursor:
            AirtableTableMapping.objects.filter(pk=mapping.pk).update(cursor=cursor)
            mapping.cursor = cursor

    def _pull_page(self, page: list[Any]) -> None:
        mapping = self.mapping
        records = {}
        for record in page:
            key = record["fields"].get(mapping.key_field)
            if key in (None, ""):
                self.counters.count("pull", "skipped")
                continue
            records[str(key)] = record
        keys = list(records)
        states = {s.key: s for s in AirtableRecordState.objects.filter(mapping=mapping, key__in=keys)}
        pending = _pending(mapping, keys)
        items: list[ApplyItem] = []
        plans: dict[str, tuple[dict[str, Any], dict[str, Any], datetime | None]] = {}
        conflicts: list[AirtableConflict] = []
        dropped: dict[str, set[str]] = {}
        restore: dict[str, dict[str, Any]] = {}
        for key, record in records.items():
            values = {f.platform: from_airtable(record["fields"].get(f.airtable), f.type) for f in self.fields}
            modified = parse_airtable_time(record["fields"].get(mapping.modified_field)) or parse_airtable_time(
                record.get("createdTime")
            )
            state = states.get(key)
            base = state.values if state else {}
            if state and state.airtable_modified_at and modified and modified <= state.airtable_modified_at:
                self.counters.count("pull", "skipped")  # seen before (cursor overlap)
                continue
            changed = {f: v for f, v in values.items() if state is None or base.get(f) != v}
            if not changed:
                self.counters.count("pull", "skipped")
                plans[key] = ({}, {**base, **values}, modified)
                continue
            p = pending.get(key)
            platform_changed = {f: v for f, v in (p.fields if p else {}).items() if base.get(f) != v} if state else {}
            apply: dict[str, Any] = {}
            for f, v in changed.items():
                rule = self.by_platform[f].rule
                if f in platform_changed and platform_changed[f] != v:
                    winner, reason = _decide(rule, p.changed_at if p else None, modified)
                    conflicts.append(
                        AirtableConflict(
                            run=self.run,
                            connection_id=mapping.connection_id,
                            mapping=mapping,
                            entity=mapping.entity,
                            key=key,
                            field=f,
                            platform_value=platform_changed[f],
                            airtable_value=v,
                            platform_changed_at=p.changed_at if p else None,
                            airtable_changed_at=modified,
                            rule=rule,
                            winner=winner,
                            reason=reason,
                        )
                    )
                    if winner == "airtable":
                        apply[f] = v
                        dropped.setdefault(key, set()).add(f)
                elif f in platform_changed:
                    continue  # both sides made the same change
                elif rule == "platform" and state is not None:
                    restore.setdefault(key, {})[f] = base.get(f)  # Airtable edited a platform-owned field
                else:
                    apply[f] = v
            create_only = (
                frozenset(f.platform for f in self.fields if f.rule == "platform") if state is None else frozenset()
            )
            agreed = {**base, **{f: v for f, v in values.items() if f in apply or f not in changed}}
            if state is None:
                agreed = dict(values)
            plans[key] = (apply, agreed, modified)
            if apply:
                items.append(ApplyItem(key=key, values=apply, create_only=create_only))
            else:
                self.counters.count("pull", "skipped")
        with transaction.atomic():
            results: dict[str, ApplyResult] = {}
            if items and self.adapter.apply is not None:
                with applying_pull():
                    results = self.adapter.apply(self.customer, items)
            changes, new_states = [], []
            for key, (apply, agreed, modified) in plans.items():
                result = results.get(key)
                if result is not None:
                    action = "failed" if result.error else result.action
                    self.counters.count("pull", action if action != "unchanged" else "skipped")
                    if action != "unchanged":
                        changes.append(
                            AirtableRecordChange(
                                run=self.run,
                                direction="pull",
                                entity=mapping.entity,
                                key=key,
                                airtable_record_id=records[key]["id"],
                                action="skipped" if action == "unchanged" else action,
                                changes=apply,
                                error=result.error,
                            )
                        )
                    if result.error:
                        continue  # recorded and skipped; the state stays, so the change is seen again
                new_states.append(
                    AirtableRecordState(
                        mapping=mapping,
                        key=key,
                        airtable_record_id=records[key]["id"],
                        values=agreed,
                        airtable_modified_at=modified,
                        synced_at=timezone.now(),
                    )
                )
            AirtableRecordState.objects.bulk_create(
                new_states,
                update_conflicts=True,
                unique_fields=["mapping", "key"],
                update_fields=["airtable_record_id", "values", "airtable_modified_at", "synced_at"],
            )
            AirtableRecordChange.objects.bulk_create(changes)
            AirtableConflict.objects.bulk_create(conflicts)
            self.counters.conflicts += len(conflicts)
            for key, names in dropped.items():
                for row in AirtableOutboundChange.objects.filter(pk__in=pending[key].ids):
                    row.fields = {f: v for f, v in row.fields.items() if f not in names}
                    row.save(update_fields=["fields"])
            AirtableOutboundChange.objects.bulk_create(
                [
                    AirtableOutboundChange(connection_id=mapping.connection_id, entity=mapping.entity, key=k, fields=v)
                    for k, v in restore.items()
                ]
            )

    # --- push ----------------------------------------------------------------------------------
    def push(self) -> None:
        if self.run.mode == AirtableSyncRun.Mode.FULL:
            self._push_snapshot()
        rounds = 0
        while pending := _pending(self.mapping, None):
            rounds += 1
            self._push_keys(pending, full=False)
            job_progress(job=self.job, progress=min(95, 50 + rounds), message=f"{self.mapping.table_name}: pushed")

    def _push_snapshot(self) -> None:
        batch: dict[str, Pending] = {}
        for key, values in self.adapter.snapshot(self.customer):
            batch[str(key)] = Pending(fields=values)
            if len(batch) >= PUSH_CHUNK:
                self._push_keys(batch, full=True)
                batch = {}
        if batch:
            self._push_keys(batch, full=True)

    def _push_keys(self, pending: dict[str, Pending], *, full: bool) -> None:
        mapping = self.mapping
        states = {s.key: s for s in AirtableRecordState.objects.filter(mapping=mapping, key__in=list(pending))}
        to_send: list[tuple[str, dict[str, Any]]] = []
        for key, p in pending.items():
            state = states.get(key)
            base = state.values if state else {}
            fields = {
                f: v
                for f, v in p.fields.items()
                if f in self.by_platform and (full or state is None or base.get(f) != v)
            }
            if full and state is not None and all(base.get(f) == v for f, v in fields.items()):
                fields = {}
            if fields:
                to_send.append((key, fields))
            else:
                self.counters.count("push", "skipped")
        outcomes: dict[str, tuple[str, str, dict[str, Any], str]] = {}  # key -> (action, record id, fields, error)
        batches = [to_send[i : i + BATCH_SIZE] for i in range(0, len(to_send), BATCH_SIZE)]
        # Several batches in flight, so the answer time does not cap the rate: the limiter paces them.
        with ThreadPoolExecutor(max_workers=max(1, min(settings.AIRTABLE_BASE_RPS, len(batches)))) as pool:
            for future in [pool.submit(self._send_batch, batch, outcomes) for batch in batches]:
                future.result()
        with transaction.atomic():
            changes, new_states = [], []
            for key, (action, record_id, fields, error) in outcomes.items():
                self.counters.count("push", action)
                changes.append(
                    AirtableRecordChange(
                        run=self.run,
                        direction="push",
                        entity=mapping.entity,
                        key=key,
                        airtable_record_id=record_id,
                        action=action,
                        changes=fields if not error else {},
                        error=error,
                    )
                )
                if not error:
                    state = states.get(key)
                    new_states.append(
                        AirtableRecordState(
                            mapping=mapping,
                            key=key,
                            airtable_record_id=record_id,
                            values={**(state.values if state else {}), **fields},
                            airtable_modified_at=self._modified.get(key)
                            or (state.airtable_modified_at if state else None),
                            synced_at=timezone.now(),
                        )
                    )
            AirtableRecordState.objects.bulk_create(
                new_states,
                update_conflicts=True,
                unique_fields=["mapping", "key"],
                update_fields=["airtable_record_id", "values", "airtable_modified_at", "synced_at"],
            )
            AirtableRecordChange.objects.bulk_create(changes)
            ids = [i for p in pending.values() for i in p.ids]
            AirtableOutboundChange.objects.filter(pk__in=ids).update(sent_at=timezone.now(), run=self.run)

    def _send_batch(self, batch: list[tuple[str, dict[str, Any]]], outcomes: dict) -> None:
        mapping = self.mapping
        records = [
            {
                "fields": {
                    mapping.key_field: key,
                    **{
                        self.by_platform[f].airtable: to_airtable(v, self.by_platform[f].type)
                        for f, v in fields.items()
                    },
                }
            }
            for key, fields in batch
        ]
        try:
            response = self.client.request(
                "PATCH",
                self.table.urls.records,
                json={"records": records, "typecast": True, "performUpsert": {"fieldsToMergeOn": [mapping.key_field]}},
            )
        except AirtableRejected as exc:
            if len(batch) > 1:  # find the record Airtable refuses; the others go through
                for one in batch:
                    self._send_batch([one], outcomes)
                return
            key, fields = batch[0]
            outcomes[key] = ("failed", "", fields, exc.message or exc.error_type)
            return
        created = set(response.get("createdRecords", []))
        for record in response.get("records", []):
            key = str(record["fields"].get(mapping.key_field))
            sent = dict(batch).get(key, {})
            self._modified[key] = parse_airtable_time(record["fields"].get(mapping.modified_field))
            outcomes[key] = ("created" if record["id"] in created else "updated", record["id"], sent, "")


def airtable_sync_table_run(*, job: Job) -> dict[str, Any]:
    """A sync job's work: verify the table, then pull and/or push it; counters go to the run."""
    from integrations.airtable import services
    from integrations.airtable.client import AirtableSchemaMismatch, AirtableUnauthorized, RequestStats
    from integrations.airtable.registry import airtable_entity_get
    from platform_core.exceptions import ApplicationError
    from platform_core.services.jobs import JobCancelled
    from platform_core.taskbase import TRANSIENT_ERRORS

    run_id, mapping_id = services.job_run_ids(job)
    run = AirtableSyncRun.objects.select_related("connection__customer").get(pk=run_id)
    mapping = AirtableTableMapping.objects.select_related("connection__customer").get(pk=mapping_id)
    adapter = airtable_entity_get(mapping.entity)
    stats = RequestStats()
    started = time.monotonic()
    sync: TableSync | None = None
    try:
        if adapter is None:
            raise ApplicationError(
                f"No platform entity {mapping.entity!r} is registered.", code="airtable_unknown_entity"
            )
        client = services.airtable_client(mapping.connection, stats=stats)
        sync = TableSync(job=job, run=run, mapping=mapping, adapter=adapter, client=client)
        services.schema_verify(mappings=[mapping], tables=client.base_tables())
        if run.direction in (Direction.BOTH, Direction.PULL) and mapping.direction in (Direction.BOTH, Direction.PULL):
            sync.pull()
        if run.direction in (Direction.BOTH, Direction.PUSH) and mapping.direction in (Direction.BOTH, Direction.PUSH):
            sync.push()
    except (AirtableUnauthorized, AirtableSchemaMismatch) as exc:
        services.airtable_connection_mark(connection=mapping.connection, error=exc)
        services.airtable_run_part_finished(run_id=run_id, error=exc, **_totals(sync, stats))
        raise
    except JobCancelled:
        cancelled = ApplicationError("The sync was cancelled.", code="cancelled")
        services.airtable_run_part_finished(run_id=run_id, error=cancelled, **_totals(sync, stats))
        raise
    except Exception as exc:
        if not isinstance(exc, TRANSIENT_ERRORS) or job.attempts >= job.max_attempts:
            error = (
                exc
                if isinstance(exc, ApplicationError)
                else ApplicationError("The sync failed.", code="internal_error")
            )
            services.airtable_run_part_finished(run_id=run_id, error=error, **_totals(sync, stats))
        else:
            services.airtable_run_add_counters(run_id=run_id, **_totals(sync, stats))
        raise
    services.airtable_connection_mark(connection=mapping.connection, error=None)
    totals = _totals(sync, stats)
    services.airtable_run_part_finished(run_id=run_id, **totals)
    return {"runId": run_id, "table": mapping.table_name, **totals, "seconds": round(time.monotonic() - started, 3)}


def _totals(sync: TableSync | None, stats: Any) -> dict[str, Any]:
    base = sync.counters.__dict__ if sync else {}
    return {**base, "requests": stats.requests, "rate_limited": stats.rate_limited}
