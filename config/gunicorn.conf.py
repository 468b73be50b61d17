"""gunicorn settings shared by `make run`, the tests' servers and production (`--config config/gunicorn.conf.py`).

Metrics: every worker writes its counters to PROMETHEUS_MULTIPROC_DIR and /metrics sums them, so a
request is counted once whichever worker served it. Without the variable gunicorn gets a private
directory here; scripts/serve.sh sets a shared one (var/prometheus) for web, ws and Celery alike.
"""

import os
import tempfile

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Before any worker imports prometheus_client: the directory decides its mode at import.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="platform-metrics-")


def post_worker_init(worker: object) -> None:
    from platform_core.observability.metrics import process_kind_set

    process_kind_set("web")


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
