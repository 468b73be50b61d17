"""What the current request or task is, for log lines, Sentry events and task headers.

One ContextVar holding a small dict: set once when a request or a task starts, read by the log
filter; the per-request SQL counters live beside it so the DB wrapper needs no thread-local.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any


class Context:
    __slots__ = ("db_count", "db_seconds", "fields")

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields
        self.db_count = 0
        self.db_seconds = 0.0


_current: ContextVar[Context | None] = ContextVar("platform_observability_context", default=None)


def context_begin(**fields: Any) -> Token[Context | None]:
    return _current.set(Context({key: value for key, value in fields.items() if value not in (None, "")}))


def context_end(token: Token[Context | None]) -> None:
    _current.reset(token)


def context_current() -> Context | None:
    return _current.get()


def context_fields() -> dict[str, Any]:
    ctx = _current.get()
    return ctx.fields if ctx is not None else {}


def current_request_id() -> str:
    return str(context_fields().get("request_id", ""))
