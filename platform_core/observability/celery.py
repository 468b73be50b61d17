"""Celery's side: headers every message carries, the task's log context, task metrics, worker logging.

- Publishing (any process): headers `request_id` (of the request or task that sent it) and
  `sent_at` (epoch seconds: /metrics reads the age of a queue's oldest message from it).
- Running (worker): the task's log lines carry request_id, task_id, task name and, for job tasks,
  job_id; its run time, failures and retries are counted.
- Logging: the worker uses the platform's LOGGING (JSON with LOG_FORMAT=json), not Celery's own.
- WORKER_METRICS_PORT: the worker's main process serves its multiprocess directory on that port
  (for hosts where no web process shares the directory, e.g. a worker container).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from typing import Any

from celery import Celery, signals

from platform_core.observability.context import context_begin, context_end, current_request_id
from platform_core.observability.metrics import JOB_RUNS, TASK_FAILURES, TASK_RETRIES, TASK_RUNTIME, process_kind_set

logger = logging.getLogger(__name__)
_running: dict[str, tuple[float, Any]] = {}  # task id -> (start, context token); one per pool process slot


def _before_publish(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if headers is None:
        return
    headers.setdefault("sent_at", time.time())
    request_id = current_request_id()
    if request_id:
        headers.setdefault("request_id", request_id)


def _header(task: Any, name: str) -> Any:
    request = task.request
    return getattr(request, name, None) or (getattr(request, "headers", None) or {}).get(name)


def _prerun(task_id: str = "", task: Any = None, args: Any = None, **kwargs: Any) -> None:
    from platform_core.taskbase import JobTask

    job_id = args[0] if isinstance(task, JobTask) and args else None
    token = context_begin(request_id=_header(task, "request_id"), task_id=task_id, task=task.name, job_id=job_id)
    _running[task_id] = (time.perf_counter(), token)


def _postrun(task_id: str = "", task: Any = None, state: str | None = None, retval: Any = None, **kwargs: Any) -> None:
    from platform_core.taskbase import JobTask

    started = _running.pop(task_id, None)
    if started is None:
        return
    start, token = started
    TASK_RUNTIME.labels(task.name, (state or "unknown").lower()).observe(time.perf_counter() - start)
    if isinstance(task, JobTask) and isinstance(retval, str):  # job tasks return their outcome
        JOB_RUNS.labels(task.name, retval).inc()
    with contextlib.suppress(ValueError):  # reset from another context (a thread pool): nothing to restore
        context_end(token)


def _failure(sender: Any = None, **kwargs: Any) -> None:
    TASK_FAILURES.labels(getattr(sender, "name", "unknown")).inc()


def _retry(sender: Any = None, **kwargs: Any) -> None:
    TASK_RETRIES.labels(getattr(sender, "name", "unknown")).inc()


def _setup_logging(**kwargs: Any) -> None:
    """Connected, so Celery leaves the root logger alone; Django's LOGGING applies (django.setup())."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def _process_init(**kwargs: Any) -> None:
    process_kind_set("worker")


def _process_shutdown(**kwargs: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())


def _worker_ready(**kwargs: Any) -> None:
    process_kind_set("worker")
    from django.conf import settings

    if settings.WORKER_METRICS_PORT:
        from prometheus_client import start_http_server

        from platform_core.observability.scrape import metrics_registry

        # A worker container's own scrape target; bound on all interfaces of its (private) network.
        start_http_server(settings.WORKER_METRICS_PORT, addr="0.0.0.0", registry=metrics_registry())  # noqa: S104


def celery_observability_connect(app: Celery) -> None:
    signals.before_task_publish.connect(_before_publish, weak=False)
    signals.task_prerun.connect(_prerun, weak=False)
    signals.task_postrun.connect(_postrun, weak=False)
    signals.task_failure.connect(_failure, weak=False)
    signals.task_retry.connect(_retry, weak=False)
    signals.setup_logging.connect(_setup_logging, weak=False)
    signals.worker_process_init.connect(_process_init, weak=False)
    signals.worker_process_shutdown.connect(_process_shutdown, weak=False)
    signals.worker_ready.connect(_worker_ready, weak=False)
