import os
from typing import Any

from celery import Celery, Task
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

from platform_core.observability.celery import celery_observability_connect

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
celery_observability_connect(app)  # request ids in task headers and logs, task metrics, worker logging


# Celery's Django fixup closes the database connections around every task and, in a prefork child, the
# whole connection pool: each task then opened a new pool of DB_POOL_MIN_SIZE connections. It is told to
# leave them (CELERY_DB_REUSE_MAX in settings); this returns each connection to the pool around a task,
# and drops only one that errored, as Django does around a request.
def _connections_return(sender: Task | None = None, **kwargs: Any) -> None:
    if not getattr(getattr(sender, "request", None), "is_eager", False):  # eager: the caller's transaction
        close_old_connections()


task_prerun.connect(_connections_return, weak=False)
task_postrun.connect(_connections_return, weak=False)
