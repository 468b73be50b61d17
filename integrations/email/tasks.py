from __future__ import annotations

from typing import TYPE_CHECKING, Any

from celery import shared_task

from platform_core.taskbase import PlatformTask

if TYPE_CHECKING:
    from platform_core.notifications import Recipients


@shared_task(base=PlatformTask, time_limit=60, soft_time_limit=45)
def email_send(*, template: str, to: Recipients, context: dict[str, Any]) -> int:
    from integrations.email.services import email_send

    return email_send(template=template, to=to, context=context)
