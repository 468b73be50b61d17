"""Sentry (error tracking and tracing) when SENTRY_DSN is set, and staff told of work that failed for good.

Events carry the request id of the request or task they happened in (tag `request_id`), pass
through the same scrubbing as log lines, and never include request bodies or cookies.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from platform_core.observability.context import context_fields
from platform_core.observability.logs import REDACTED, scrub

logger = logging.getLogger(__name__)
_enabled = False


def _tag(event: dict[str, Any]) -> None:
    fields = context_fields()
    tags = event.setdefault("tags", {})
    if isinstance(tags, dict):
        for key in ("request_id", "task_id", "job_id"):
            if key in fields:
                tags.setdefault(key, str(fields[key]))


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
    """Tag with the request id; scrub secrets everywhere; drop bodies and cookies entirely."""
    _tag(event)
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies"):
            if key in request:
                request[key] = REDACTED
    return scrub(event)


def before_send_transaction(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
    return before_send(event, hint)


def sentry_init(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    """Called from settings when SENTRY_DSN is set."""
    global _enabled
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        max_request_body_size="never",
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            RedisIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=None),  # errors come from exceptions, not log lines
        ],
        before_send=before_send,  # type: ignore[arg-type]
        before_send_transaction=before_send_transaction,  # type: ignore[arg-type]
    )
    _enabled = True


def sentry_enabled() -> bool:
    return _enabled


def sentry_request_tag(request_id: str) -> None:
    """Tag the request's scope, so its transaction (finished after our middleware) carries the id too."""
    if _enabled and request_id:
        import sentry_sdk

        sentry_sdk.get_isolation_scope().set_tag("request_id", request_id)


def failure_report(*, message: str, tags: dict[str, str]) -> None:
    """Send a Sentry event for work that failed for good (the exception being handled, if any)."""
    if not _enabled:
        return
    import sentry_sdk

    with sentry_sdk.new_scope() as scope:
        for key, value in tags.items():
            scope.set_tag(key, value)
        if sys.exc_info()[0] is not None:
            sentry_sdk.capture_exception()
        else:
            sentry_sdk.capture_message(message, level="error")


def sentry_flush(timeout: float = 2.0) -> None:
    if _enabled:
        import sentry_sdk

        sentry_sdk.flush(timeout)
