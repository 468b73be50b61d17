"""Which platform entities sync with Airtable, and who writes them on the platform side.

integrations never import a domain app: assessments registers an adapter per entity from its
AppConfig.ready() (`airtable_entity_register(...)`), the way it registers webhook handlers.
`apply` writes pulled values through the app's services inside the sync's transaction;
`snapshot` lists the platform's current values for a full resync.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from platform_core.models import Customer


@dataclass(frozen=True)
class ApplyItem:
    key: str
    values: dict[str, Any]
    # Platform-owned fields: used to create a missing entity, never to overwrite an existing one.
    create_only: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ApplyResult:
    action: str  # "created" | "updated" | "unchanged" | "failed"
    error: str = ""


Applier = Callable[[Customer, list[ApplyItem]], dict[str, ApplyResult]]
Snapshot = Callable[[Customer], Iterable[tuple[str, dict[str, Any]]]]


@dataclass(frozen=True)
class EntityAdapter:
    name: str
    snapshot: Snapshot
    apply: Applier | None = None  # None: push only


_adapters: dict[str, EntityAdapter] = {}


def airtable_entity_register(*, name: str, snapshot: Snapshot, apply: Applier | None = None) -> None:
    _adapters[name] = EntityAdapter(name=name, snapshot=snapshot, apply=apply)


def airtable_entity_get(name: str) -> EntityAdapter | None:
    return _adapters.get(name)
