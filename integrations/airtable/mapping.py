"""Field mappings: the legacy tables' defaults (domain.md section 9) and value conversion.

A platform value is JSON (what services read and write); an Airtable value is what its cell holds.
`json` fields are JSON text in Airtable (the legacy base stored "Progress Data", "User Info" ... so).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from platform_core.exceptions import ApplicationError

FIELD_TYPES = ("text", "integer", "number", "json", "datetime", "boolean")
RULES = ("platform", "airtable", "latest")


@dataclass(frozen=True)
class FieldMap:
    airtable: str
    platform: str
    type: str = "text"
    rule: str = "latest"  # who wins a conflict: platform (computed fields), airtable (staff edit there), latest


@dataclass(frozen=True)
class TableDefault:
    table_name: str
    key_field: str
    key_platform: str
    direction: str
    fields: tuple[FieldMap, ...]
    modified_field: str = "Last Modified"


# The three legacy tables and their field names (domain.md section 9).
DEFAULT_TABLES: dict[str, TableDefault] = {
    "assessment_result": TableDefault(
        table_name="Assessment Results",
        key_field="Session ID",
        key_platform="session_id",
        direction="both",
        fields=(
            FieldMap("Buyer Score", "buyer_score", "integer", "platform"),
            FieldMap("Tech Score", "tech_score", "integer", "platform"),
            FieldMap("Overall Score", "overall_score", "integer", "platform"),
            FieldMap("Qualification", "qualification", "text", "platform"),
            FieldMap("User Info", "user_info", "json", "airtable"),
            FieldMap("Product Info", "product_info", "json", "latest"),
            FieldMap("Generated Content", "generated_content", "json", "latest"),
        ),
    ),
    "user_progress": TableDefault(
        table_name="User Progress",
        key_field="Tool Name",
        key_platform="tool_name",
        direction="both",
        fields=(
            FieldMap("Customer ID", "customer_id", "text", "platform"),
            FieldMap("Progress Data", "progress_data", "json", "latest"),
            FieldMap("Updated At", "updated_at", "datetime", "platform"),
        ),
    ),
    "customer_assets": TableDefault(
        table_name="Customer Assets",
        key_field="Customer ID",
        key_platform="customer_id",
        direction="push",
        fields=(
            FieldMap("Customer Name", "customer_name", "text", "platform"),
            FieldMap("ICP Content", "icp_content", "json", "platform"),
            FieldMap("Target Buyer Personas", "target_buyer_personas", "json", "platform"),
        ),
    ),
}


def default_fields(entity: str) -> list[dict[str, str]]:
    return [asdict(f) for f in DEFAULT_TABLES[entity].fields]


def field_maps(raw: list[dict[str, Any]]) -> list[FieldMap]:
    return [FieldMap(**f) for f in raw]


def validate_fields(raw: Any) -> list[dict[str, str]]:
    """A mapping's field list as given by a client: 400 `invalid_field_mapping` naming what is wrong."""
    if not isinstance(raw, list) or not raw:
        raise _bad("fields must be a non-empty list.", {})
    seen: set[str] = set()
    clean = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) and item.get(k) for k in ("airtable", "platform")
        ):
            raise _bad("Each field needs an 'airtable' and a 'platform' name.", {"index": i})
        kind, rule = item.get("type", "text"), item.get("rule", "latest")
        if kind not in FIELD_TYPES:
            raise _bad(f"Unknown field type {kind!r}.", {"index": i, "allowed": list(FIELD_TYPES)})
        if rule not in RULES:
            raise _bad(f"Unknown conflict rule {rule!r}.", {"index": i, "allowed": list(RULES)})
        if item["platform"] in seen:
            raise _bad(f"Platform field {item['platform']!r} is mapped twice.", {"index": i})
        seen.add(item["platform"])
        clean.append({"airtable": item["airtable"], "platform": item["platform"], "type": kind, "rule": rule})
    return clean


def _bad(message: str, details: dict[str, Any]) -> ApplicationError:
    return ApplicationError(message, code="invalid_field_mapping", status_code=400, details=details)


def to_airtable(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None  # Airtable has no empty cells: "" and null both clear it
    if kind == "json":
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return value


def from_airtable(value: Any, kind: str) -> Any:
    """An Airtable cell as a platform value; a cell that does not convert stays as it is (the
    applier rejects it, the record is reported and skipped)."""
    if value is None or value == "":
        return None
    if kind == "json" and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if kind == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind == "datetime" and isinstance(value, str):
        parsed = parse_datetime(value)
        return parsed.isoformat() if parsed else value
    return value


def parse_airtable_time(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def airtable_time(value: datetime) -> str:
    """Airtable's own format (UTC, milliseconds, Z)."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
