"""gunicorn settings of the HTTP API, read from the environment (.env.example), shared by `make run`,
the tests' servers, the benchmarks and production: `gunicorn config.wsgi --config config/gunicorn.conf.py`.

Metrics: every worker writes its counters to PROMETHEUS_MULTIPROC_DIR and /metrics sums them, so a
request is counted once whichever worker served it. Without the variable gunicorn gets a private
directory here; scripts/serve.sh sets a shared one (var/prometheus) for web, ws and Celery alike.
"""

import os
import tempfile

from gunicorn.glogging import Logger

bind = f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('HTTP_PORT', '8000')}"
# Threads overlap one request's database and Redis waits with another's Python; processes use the cores.
# The shedding worker answers 503 `overloaded` to a request that waited over WEB_SHED_AFTER_MS for a thread.
worker_class = os.environ.get("WEB_WORKER_CLASS", "platform_core.shedding.SheddingThreadWorker")
workers = int(os.environ.get("WEB_WORKERS", "3"))
threads = int(os.environ.get("WEB_THREADS", "4"))
# Connections a process holds open (kept-alive ones included); past it they wait in the kernel's backlog.
worker_connections = int(os.environ.get("WEB_WORKER_CONNECTIONS", "1000"))
keepalive = int(os.environ.get("WEB_KEEPALIVE_S", "5"))
graceful_timeout = 20
timeout = 60
# Off by default: the platform logs each request itself (platform.request: route, status, duration, ids).
accesslog = os.environ.get("WEB_ACCESS_LOG", "") or None
GC_GEN0_THRESHOLD = int(os.environ.get("WEB_GC_GEN0_THRESHOLD", "20000"))


class PlatformGunicornLogger(Logger):
    """Access lines only when WEB_ACCESS_LOG names a target: gunicorn also turns them on for any
    logconfig_dict (the JSON one below), which doubled every request's log line and its cost."""

    @property
    def access_log_enabled(self) -> bool:
        return bool(self.cfg.accesslog)


logger_class = PlatformGunicornLogger

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Before any worker imports prometheus_client: the directory decides its mode at import.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="platform-metrics-")


def post_worker_init(worker: object) -> None:
    import gc

    from platform_core.observability.metrics import process_kind_set

    process_kind_set("web")
    # The loaded app (Django, DRF, every module) never becomes garbage: out of the collector's sight, a full
    # collection walks only what requests allocate; fewer young collections under a request's churn.
    gc.freeze()
    gc.set_threshold(GC_GEN0_THRESHOLD, 20, 20)


def child_exit(server: object, worker: object) -> None:
    # A dead worker's live gauges (in-flight, pool) must stop counting; its counters stay summed.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


if os.environ.get("LOG_FORMAT") == "json":
    # gunicorn's own lines (boot, worker exits, access log) as JSON too: one format per stream.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "platform_core.observability.logs.JsonFormatter"}},
        "handlers": {"json": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
        "root": {"handlers": ["json"], "level": "INFO"},
        "loggers": {
            "gunicorn.error": {"handlers": ["json"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["json"], "level": "INFO", "propagate": False},
        },
    }
