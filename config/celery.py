import os

from celery import Celery

from platform_core.observability.celery import celery_observability_connect

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
celery_observability_connect(app)  # request ids in task headers and logs, task metrics, worker logging
