from celery import shared_task

from platform_core.taskbase import PlatformTask


@shared_task(base=PlatformTask)
def make_executions_time_out() -> int:
    from integrations.make.services import make_executions_time_out

    return make_executions_time_out()
