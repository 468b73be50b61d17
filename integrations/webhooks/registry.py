"""Which inbound webhooks the platform accepts, how their payloads are validated, who applies them.

integrations never import a domain app: a source (Make.com ...) declares its event types and
payload models here; a domain app registers the handler that applies an event from its
AppConfig.ready(), e.g. `webhook_handler_register(source="make", event_type="icp_analysis_complete",
handler=icp_from_make)`. A handler runs inside the processing transaction and must only write
through the app's services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from platform_core.models import Customer


@dataclass(frozen=True)
class InboundEvent:
    """What a handler receives: the validated payload (snake_case keys) and who it is for."""

    source: str
    event_type: str
    webhook_id: str
    customer: Customer | None
    data: dict[str, Any]
    received_at: datetime
    inbound_id: int


Handler = Callable[[InboundEvent], None]


@dataclass(frozen=True)
class InboundSource:
    """A sender: its name in the URL, where the event type is in its payload, and its validators.

    Each pydantic model validates one event type's payload (snake_case keys) and may expose the
    customer's id as a "customer_pk" computed field (an unknown customer is a 400 when the row is
    stored); a bad payload is a 400 and nothing is stored. pydantic rather than DRF serializers:
    validation is on the intake's hot path, and DRF's cost a tenth of its throughput.
    """

    name: str
    event_type_field: str
    payloads: dict[str, type[BaseModel]]
    customer_field: str = "customerId"  # named in the 400 when the customer does not exist
    # Runs after the domain handler in the same transaction (e.g. completing a Make execution).
    after_handle: Handler | None = None
    handlers: dict[str, Handler] = field(default_factory=dict)


_sources: dict[str, InboundSource] = {}


def webhook_source_register(source: InboundSource) -> InboundSource:
    _sources[source.name] = source
    return source


def webhook_source_get(name: str) -> InboundSource | None:
    return _sources.get(name)


def webhook_handler_register(*, source: str, event_type: str, handler: Handler) -> None:
    """Called by domain apps at startup (any app order); one handler per (source, event type)."""
    import integrations.make.callbacks  # noqa: F401 - declares the "make" source

    registered = _sources.get(source)
    if registered is None or event_type not in registered.payloads:
        raise LookupError(f"No inbound webhook event {source}/{event_type} is declared.")
    registered.handlers[event_type] = handler
