"""Which inbound webhooks the platform accepts, how their payloads are validated, who applies them.

Generic: it names no sender. A source (integrations.make ...) registers its event types and payload
models from its AppConfig.ready(); a domain app registers the handler that applies an event from its
own, e.g. `webhook_handler_register(source="make", event_type="icp_analysis_complete",
handler=icp_from_make)`, in any app order. A handler runs inside the processing transaction and
must only write through the app's services. `webhook_registry_problems()` (a system check) names a
handler whose event no source declares.
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
    # A source may bring its own handlers; a domain app's, registered for the same event, win.
    handlers: dict[str, Handler] = field(default_factory=dict)


_sources: dict[str, InboundSource] = {}
_handlers: dict[tuple[str, str], Handler] = {}


def webhook_source_register(source: InboundSource) -> InboundSource:
    _sources[source.name] = source
    return source


def webhook_source_get(name: str) -> InboundSource | None:
    return _sources.get(name)


def webhook_handler_register(*, source: str, event_type: str, handler: Handler) -> None:
    """Called by domain apps at startup, before or after the source registers; one handler per event."""
    _handlers[(source, event_type)] = handler


def webhook_handler_get(*, source: str, event_type: str) -> Handler | None:
    registered = _sources.get(source)
    if registered is None or event_type not in registered.payloads:
        return None
    return _handlers.get((source, event_type)) or registered.handlers.get(event_type)


def webhook_registry_problems() -> list[str]:
    """Handlers registered for an event no source declares (a typo, or the source's app not installed)."""
    return [
        f"No inbound webhook event {source}/{event_type} is declared."
        for source, event_type in _handlers
        if source not in _sources or event_type not in _sources[source].payloads
    ]
