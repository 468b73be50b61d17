"""The webhook registry is generic: a source registers itself from its app (Make.com from
integrations.make's AppConfig.ready()), handlers may come before their source, and the webhooks app
names no integration in its code (it imported Make before: an import cycle)."""

import ast
from pathlib import Path

from django.core.management import call_command
from pydantic import BaseModel

from integrations.webhooks import registry
from integrations.webhooks.registry import InboundSource, webhook_handler_get, webhook_handler_register

WEBHOOKS_APP = Path(registry.__file__).parent


class Thing(BaseModel):
    type: str


def _noop(event) -> None:
    return None


def test_the_webhooks_app_imports_no_integration_of_its_own():
    imported = set()
    for path in WEBHOOKS_APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add((path.name, node.module))
            elif isinstance(node, ast.Import):
                imported.update((path.name, alias.name) for alias in node.names)
    assert [(name, module) for name, module in imported if module.startswith("integrations.make")] == []


def test_make_registers_its_source_and_the_assessments_handlers_find_it():
    assert registry.webhook_source_get("make") is not None
    assert webhook_handler_get(source="make", event_type="icp_analysis_complete") is not None
    call_command("check")  # the registry check finds every handler's event declared


def test_a_handler_may_be_registered_before_its_source(monkeypatch):
    monkeypatch.setattr(registry, "_sources", dict(registry._sources))
    monkeypatch.setattr(registry, "_handlers", dict(registry._handlers))

    webhook_handler_register(source="late", event_type="thing.done", handler=_noop)
    assert webhook_handler_get(source="late", event_type="thing.done") is None
    assert registry.webhook_registry_problems() == ["No inbound webhook event late/thing.done is declared."]

    registry.webhook_source_register(
        InboundSource(name="late", event_type_field="type", payloads={"thing.done": Thing})
    )
    assert webhook_handler_get(source="late", event_type="thing.done") is _noop
    assert registry.webhook_registry_problems() == []
