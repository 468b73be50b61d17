"""E-mail from the ground floor. platform_core imports no other app, so integrations.email registers
its sender here at startup (EmailConfig.ready) and platform_core's services call notify()."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from django.core.exceptions import ImproperlyConfigured

STAFF: Literal["staff"] = "staff"  # to=STAFF: every active staff user when the e-mail is sent
Recipients = list[str] | Literal["staff"]


class Sender(Protocol):
    def __call__(self, *, template: str, to: Recipients, context: dict[str, Any]) -> Any: ...


_sender: Sender | None = None


def notification_sender_register(sender: Sender) -> None:
    global _sender
    _sender = sender


def notify(*, template: str, to: Recipients, context: dict[str, Any]) -> None:
    """Send the e-mail `template` after the caller's transaction commits (see integrations.email)."""
    if _sender is None:
        raise ImproperlyConfigured("No e-mail sender is registered: is integrations.email installed?")
    _sender(template=template, to=to, context=context)
