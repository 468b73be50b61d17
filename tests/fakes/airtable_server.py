"""A fake Airtable: real HTTP on 127.0.0.1 speaking the REST API v0 the way Airtable does, so tests
drive the real pyairtable client (`Api(token, endpoint_url=fake.url)`, no /v0).

Speaks: list records (GET and POST listRecords) with pageSize <= 100, offset pagination, fields[],
filterByFormula (IS_AFTER / IS_BEFORE on a field against DATETIME_PARSE('...'), {Field} = 'v',
AND/OR of those); create, update and performUpsert (fieldsToMergeOn) of at most 10 records (11 is
a 422), typecast; the base schema (meta/bases/{id}/tables); a "Last modified time" field computed
on every write; 401 for an unknown token, 404 for an unknown base or table, 422 for an unknown
field or a value the field's type refuses.
Limits like Airtable's: more than `base_rps` requests arriving within one second for a base (or
`token_rps` for a token) answer 429, and are counted (over_limit_base, over_limit_token).
On demand: fake.fail_next("429" | "500" | "503" | "slow" | "timeout", times=n, base=...).
Counted: fake.requests (every request: arrival, base, method, path, status).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

MAX_PAGE = 100
MAX_WRITE = 10


def iso(dt: datetime) -> str:
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def record_id() -> str:
    return "rec" + uuid.uuid4().hex[:14]


@dataclass
class FakeTable:
    name: str
    fields: dict[str, str]  # name -> Airtable type (singleLineText, number, multilineText, lastModifiedTime ...)
    id: str = field(default_factory=lambda: "tbl" + uuid.uuid4().hex[:14])
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> {id, createdTime, fields, modified}
    # fieldsToMergeOn -> {their values: record ids}: upserts look records up like an indexed table would.
    _indexes: dict[tuple[str, ...], dict[tuple[Any, ...], list[str]]] = field(default_factory=dict)

    def matching(self, names: tuple[str, ...], values: tuple[Any, ...]) -> list[dict[str, Any]]:
        index = self._indexes.get(names)
        if index is None:
            index = self._indexes[names] = {}
            for rid, record in self.records.items():
                index.setdefault(tuple(record["fields"].get(n) for n in names), []).append(rid)
        hits = [self.records[rid] for rid in index.get(values, []) if rid in self.records]
        return [r for r in hits if tuple(r["fields"].get(n) for n in names) == values]

    def forget_indexes(self) -> None:
        self._indexes.clear()

    def reindex(self, rid: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        for names, index in self._indexes.items():
            old, new = tuple(before.get(n) for n in names), tuple(after.get(n) for n in names)
            if old != new or rid not in index.get(new, []):
                if rid in index.get(old, []):
                    index[old].remove(rid)
                index.setdefault(new, []).append(rid)

    @property
    def modified_fields(self) -> list[str]:
        return [n for n, t in self.fields.items() if t == "lastModifiedTime"]


@dataclass
class Logged:
    at: float
    base: str
    method: str
    path: str
    status: int
    token: str = ""
    records: int = 0


class Rejected(Exception):
    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error_type, self.message = status, error_type, message


class FakeAirtable:
    def __init__(self, *, tokens: tuple[str, ...] = ("patTEST.valid-token",), base_rps: int = 5, token_rps: int = 50):
        self.tokens = set(tokens)
        self.base_rps, self.token_rps = base_rps, token_rps
        self.bases: dict[str, dict[str, FakeTable]] = {}
        self.requests: list[Logged] = []
        self.over_limit_base = 0
        self.over_limit_token = 0
        self.status_counts: Counter[int] = Counter()
        self.slow_seconds = 3.0
        self._script: deque[tuple[str, str | None]] = deque()
        self._arrivals_base: dict[str, deque[float]] = {}
        self._arrivals_token: dict[str, deque[float]] = {}
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None

    # --- control -----------------------------------------------------------------------------
    @property
    def token(self) -> str:
        return next(iter(sorted(self.tokens)))

    def add_table(self, base: str, name: str, fields: dict[str, str]) -> FakeTable:
        with self._lock:
            table = FakeTable(name=name, fields=dict(fields))
            self.bases.setdefault(base, {})[name] = table
            return table

    def table(self, base: str, name: str) -> FakeTable:
        return self.bases[base][name]

    def seed(self, base: str, name: str, rows: list[dict[str, Any]], *, modified: datetime | None = None) -> list[str]:
        """Rows as they are already in the base (last modified at `modified`, default an hour ago)."""
        table = self.table(base, name)
        when = modified or datetime.now(UTC) - timedelta(hours=1)
        ids = []
        with self._lock:
            for row in rows:
                rid = record_id()
                table.records[rid] = {"id": rid, "createdTime": iso(when), "fields": dict(row), "modified": when}
                ids.append(rid)
            table.forget_indexes()
        return ids

    def edit(self, base: str, name: str, *, where: tuple[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
        """A person editing a record in Airtable (its modified time becomes now)."""
        with self._lock:
            record = self.find(base, name, *where)
            assert record is not None, f"no record with {where}"
            record["fields"].update(fields)
            record["modified"] = datetime.now(UTC)
            self.table(base, name).forget_indexes()
            return record

    def find(self, base: str, name: str, field_name: str, value: Any) -> dict[str, Any] | None:
        with self._lock:
            for record in self.table(base, name).records.values():
                if record["fields"].get(field_name) == value:
                    return record
        return None

    def rows(self, base: str, name: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r["fields"]) for r in self.table(base, name).records.values()]

    def fail_next(self, kind: str, times: int = 1, base: str | None = None) -> None:
        with self._lock:
            self._script.extend([(kind, base)] * times)

    def requests_for(self, base: str) -> list[Logged]:
        with self._lock:
            return [r for r in self.requests if r.base == base]

    def max_per_second(self, base: str) -> int:
        """The most requests that arrived for `base` within any one second."""
        times = sorted(r.at for r in self.requests_for(base))
        best, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best

    def reset_counters(self) -> None:
        with self._lock:
            self.requests.clear()
            self.status_counts.clear()
            self.over_limit_base = self.over_limit_token = 0
            self._arrivals_base.clear()
            self._arrivals_token.clear()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, body = fake._handle(self.command, self.path, self.headers.get("Authorization", ""), raw)
                if status == 0:  # a timeout: never answer in time
                    time.sleep(fake.slow_seconds)
                    self.close_connection = True
                    return
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- protocol ------------------------------------------------------------------------------
    def _handle(self, method: str, raw_path: str, auth: str, raw: bytes) -> tuple[int, Any]:
        arrival = time.monotonic()
        parts = urlsplit(raw_path)
        segments = [unquote(s) for s in parts.path.split("/") if s]
        base = (
            segments[3]
            if segments[1:3] == ["meta", "bases"] and len(segments) > 3
            else (segments[1] if len(segments) > 1 else "")
        )
        log = Logged(
            at=arrival, base=base, method=method, path=parts.path, status=0, token=auth.removeprefix("Bearer ")
        )
        with self._lock:
            self.requests.append(log)
        status, body = self._route(method, segments, parse_qs(parts.query), auth, raw, base, arrival, log)
        log.status = status
        with self._lock:
            self.status_counts[status] += 1
        return status, body

    def _over_limit(self, arrivals: dict[str, deque[float]], who: str, limit: int, now: float) -> bool:
        window = arrivals.setdefault(who, deque())
        while window and window[0] <= now - 1.0:
            window.popleft()
        window.append(now)
        return len(window) > limit

    def _route(
        self,
        method: str,
        segments: list[str],
        query: dict[str, list[str]],
        auth: str,
        raw: bytes,
        base: str,
        arrival: float,
        log: Logged,
    ) -> tuple[int, Any]:
        if not segments or segments[0] != "v0":
            return 404, {"error": "NOT_FOUND"}
        token = auth.removeprefix("Bearer ")
        if token not in self.tokens:
            return 401, {"error": {"type": "AUTHENTICATION_REQUIRED", "message": "Authentication required"}}
        with self._lock:
            over_base = self._over_limit(self._arrivals_base, base, self.base_rps, arrival)
            over_token = self._over_limit(self._arrivals_token, token, self.token_rps, arrival)
            if over_base:
                self.over_limit_base += 1
            if over_token:
                self.over_limit_token += 1
            scripted = None
            if self._script and self._script[0][1] in (None, base):
                scripted = self._script.popleft()[0]
        if over_base or over_token:
            return 429, {
                "errors": [{"error": "RATE_LIMIT_REACHED", "message": "Rate limit exceeded. Please try again later"}]
            }
        if scripted == "429":
            return 429, {
                "errors": [{"error": "RATE_LIMIT_REACHED", "message": "Rate limit exceeded. Please try again later"}]
            }
        if scripted in ("500", "502", "503"):
            return int(scripted), {
                "error": {"type": "SERVER_ERROR", "message": "Try again. If the problem persists, contact support."}
            }
        if scripted == "timeout":
            return 0, None
        if scripted == "slow":
            time.sleep(self.slow_seconds)
        if base not in self.bases:
            return 404, {"error": "NOT_FOUND"}
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return 422, {"error": {"type": "INVALID_REQUEST_BODY", "message": "Could not parse request body"}}
        try:
            with self._lock:
                if segments[1:3] == ["meta", "bases"] and segments[4:] == ["tables"] and method == "GET":
                    return 200, self._schema(base)
                if len(segments) >= 3:
                    table = self.bases[base].get(segments[2])
                    if table is None:
                        table = next((t for t in self.bases[base].values() if t.id == segments[2]), None)
                    if table is None:
                        raise Rejected(
                            404, "TABLE_NOT_FOUND", f"Could not find table {segments[2]} in application {base}"
                        )
                    if len(segments) == 3 and method == "GET":
                        return 200, self._list(table, {k: v for k, v in query.items()}, log)
                    if segments[3:] == ["listRecords"] and method == "POST":
                        return 200, self._list(
                            table, {k: (v if isinstance(v, list) else [v]) for k, v in body.items()}, log
                        )
                    if len(segments) == 3 and method in ("POST", "PATCH", "PUT"):
                        return 200, self._write(table, method, body, log)
        except Rejected as exc:
            return exc.status, {"error": {"type": exc.error_type, "message": exc.message}}
        return 404, {"error": "NOT_FOUND"}

    def _schema(self, base: str) -> dict[str, Any]:
        tables = []
        for table in self.bases[base].values():
            fields = [
                {"id": "fld" + uuid.uuid5(uuid.NAMESPACE_URL, f"{table.id}/{n}").hex[:14], "name": n, "type": t}
                for n, t in table.fields.items()
            ]
            tables.append(
                {"id": table.id, "name": table.name, "primaryFieldId": fields[0]["id"], "fields": fields, "views": []}
            )
        return {"tables": tables}

    def _cell(self, table: FakeTable, record: dict[str, Any], name: str) -> Any:
        if table.fields.get(name) == "lastModifiedTime":
            return iso(record["modified"])
        return record["fields"].get(name)

    def _out(self, table: FakeTable, record: dict[str, Any], only: list[str] | None = None) -> dict[str, Any]:
        names = only if only else list(table.fields)
        cells = {n: self._cell(table, record, n) for n in names if n in table.fields}
        return {
            "id": record["id"],
            "createdTime": record["createdTime"],
            "fields": {k: v for k, v in cells.items() if v not in (None, "")},
        }

    def _list(self, table: FakeTable, query: dict[str, list[str]], log: Logged) -> dict[str, Any]:
        size = int((query.get("pageSize") or [str(MAX_PAGE)])[0])
        if size > MAX_PAGE or size < 1:
            raise Rejected(422, "INVALID_PAGE_SIZE", "pageSize must be between 1 and 100")
        only = query.get("fields[]") or query.get("fields") or None
        for name in only or []:
            if name not in table.fields:
                raise Rejected(422, "UNKNOWN_FIELD_NAME", f'Unknown field name: "{name}"')
        formula = (query.get("filterByFormula") or [""])[0]
        matches = [r for r in table.records.values() if not formula or self._formula(table, r, formula)]
        offset = (query.get("offset") or [""])[0]
        start = int(offset.split("/")[0].removeprefix("itr")) if offset else 0
        page = matches[start : start + size]
        log.records = len(page)
        body: dict[str, Any] = {"records": [self._out(table, r, only) for r in page]}
        if start + size < len(matches):
            body["offset"] = f"itr{start + size}/{page[-1]['id']}"
        return body

    FORMULA_TIME = re.compile(r"^(IS_AFTER|IS_BEFORE)\(\{([^}]+)\},\s*DATETIME_PARSE\('([^']+)'\)\)$")
    FORMULA_EQ = re.compile(r"^\{([^}]+)\}\s*=\s*'((?:[^'\\]|\\.)*)'$")

    def _formula(self, table: FakeTable, record: dict[str, Any], formula: str) -> bool:
        formula = formula.strip()
        for op in ("AND", "OR"):
            if formula.startswith(op + "(") and formula.endswith(")"):
                parts = _split_args(formula[len(op) + 1 : -1])
                results = [self._formula(table, record, p) for p in parts]
                return all(results) if op == "AND" else any(results)
        if m := self.FORMULA_TIME.match(formula):
            op, name, when = m.groups()
            if name not in table.fields:
                raise Rejected(422, "INVALID_FILTER_BY_FORMULA", f"Unknown field names: {name.lower()}")
            cell = self._cell(table, record, name)
            if not cell:
                return False
            at, pivot = parse_iso(cell), parse_iso(when)
            return at > pivot if op == "IS_AFTER" else at < pivot
        if m := self.FORMULA_EQ.match(formula):
            name, value = m.groups()
            return str(self._cell(table, record, name) or "") == value.replace("\\'", "'")
        raise Rejected(422, "INVALID_FILTER_BY_FORMULA", "The formula for filtering records is invalid: " + formula)

    def _value(self, table: FakeTable, name: str, value: Any, typecast: bool) -> Any:
        kind = table.fields.get(name)
        if kind is None:
            raise Rejected(422, "UNKNOWN_FIELD_NAME", f'Unknown field name: "{name}"')
        if kind in ("lastModifiedTime", "createdTime", "formula", "autoNumber"):
            raise Rejected(
                422, "INVALID_VALUE_FOR_COLUMN", f'Field "{name}" cannot accept a value because the field is computed'
            )
        if value is None:
            return None
        if kind in ("number", "percent", "currency"):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return value
            if typecast and isinstance(value, str):
                try:
                    return float(value) if "." in value else int(value)
                except ValueError:
                    pass
            raise Rejected(422, "INVALID_VALUE_FOR_COLUMN", f'Field "{name}" cannot accept the provided value')
        if kind in ("singleLineText", "multilineText", "email", "url", "singleSelect"):
            if isinstance(value, str):
                return value
            if typecast and isinstance(value, (int, float)):
                return str(value)
            raise Rejected(422, "INVALID_VALUE_FOR_COLUMN", f'Field "{name}" cannot accept the provided value')
        return value

    def _write(self, table: FakeTable, method: str, body: dict[str, Any], log: Logged) -> dict[str, Any]:
        records = body.get("records")
        if not isinstance(records, list) or not records:
            raise Rejected(422, "INVALID_RECORDS", "Invalid records")
        if len(records) > MAX_WRITE:
            raise Rejected(422, "INVALID_RECORDS", f"You may only create or update up to {MAX_WRITE} records at a time")
        typecast = bool(body.get("typecast"))
        upsert = body.get("performUpsert")
        # Validate every record first: Airtable applies a request all or nothing.
        prepared = [
            {n: self._value(table, n, v, typecast) for n, v in (r.get("fields") or {}).items()} for r in records
        ]
        now = datetime.now(UTC)
        out, created, updated = [], [], []
        for record, fields in zip(records, prepared, strict=True):
            target = None
            if upsert and "id" not in record:
                merge_on = upsert.get("fieldsToMergeOn") or []
                if not merge_on or any(n not in table.fields for n in merge_on):
                    raise Rejected(422, "INVALID_MERGE_FIELD", "fieldsToMergeOn must name fields of the table")
                if any(fields.get(n) in (None, "") for n in merge_on):
                    raise Rejected(
                        422, "INVALID_VALUE_FOR_COLUMN", "Records must have values for every fieldsToMergeOn field"
                    )
                hits = table.matching(tuple(merge_on), tuple(fields.get(n) for n in merge_on))
                if len(hits) > 1:
                    raise Rejected(422, "INVALID_RECORDS", "More than one record matched fieldsToMergeOn")
                target = hits[0] if hits else None
            elif "id" in record:
                target = table.records.get(record["id"])
                if target is None:
                    raise Rejected(404, "MODEL_ID_NOT_FOUND", f"Could not find record {record['id']}")
            elif method != "POST":
                raise Rejected(422, "INVALID_RECORDS", "Records to update need an id (or performUpsert)")
            if target is None:
                rid = record_id()
                target = {"id": rid, "createdTime": iso(now), "fields": {}, "modified": now}
                table.records[rid] = target
                created.append(rid)
            before = dict(target["fields"])
            if target["id"] not in created:
                updated.append(target["id"])
                if method == "PUT":
                    target["fields"] = {}
            for n, v in fields.items():
                if v is None:
                    target["fields"].pop(n, None)
                else:
                    target["fields"][n] = v
            target["modified"] = now
            table.reindex(target["id"], before, target["fields"])
            out.append(self._out(table, target))
        log.records = len(records)
        body_out: dict[str, Any] = {"records": out}
        if upsert:
            body_out.update(createdRecords=created, updatedRecords=updated)
        return body_out


def _split_args(text: str) -> list[str]:
    parts, depth, quote, current = [], 0, False, ""
    for ch in text:
        if ch == "'" and not current.endswith("\\"):
            quote = not quote
        if not quote and ch == "(":
            depth += 1
        if not quote and ch == ")":
            depth -= 1
        if not quote and depth == 0 and ch == ",":
            parts.append(current.strip())
            current = ""
            continue
        current += ch
    if current.strip():
        parts.append(current.strip())
    return parts


# The legacy base's three tables (domain.md section 9), with a Last Modified field each.
LEGACY_TABLES: dict[str, dict[str, str]] = {
    "Assessment Results": {
        "Session ID": "singleLineText",
        "Buyer Score": "number",
        "Tech Score": "number",
        "Overall Score": "number",
        "Qualification": "singleLineText",
        "User Info": "multilineText",
        "Product Info": "multilineText",
        "Generated Content": "multilineText",
        "Last Modified": "lastModifiedTime",
    },
    "User Progress": {
        "Tool Name": "singleLineText",
        "Customer ID": "singleLineText",
        "Progress Data": "multilineText",
        "Updated At": "singleLineText",
        "Last Modified": "lastModifiedTime",
    },
    "Customer Assets": {
        "Customer ID": "singleLineText",
        "Customer Name": "singleLineText",
        "ICP Content": "multilineText",
        "Target Buyer Personas": "multilineText",
        "Content Status": "singleSelect",
        "Last Modified": "lastModifiedTime",
    },
}


def legacy_base(fake: FakeAirtable, base: str) -> None:
    for name, fields in LEGACY_TABLES.items():
        fake.add_table(base, name, fields)
