from typing import Any

from celery import shared_task

from platform_core.taskbase import PlatformTask


@shared_task(base=PlatformTask, time_limit=60, soft_time_limit=45)
def email_send(*, template: str, to: list[str], context: dict[str, Any]) -> int:
    from integrations.email.services import email_send

    return email_send(template=template, to=to, context=context)
