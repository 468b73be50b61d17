"""gunicorn settings of the HTTP API, read from the environment (.env.example), used by `make run`,
compose and the benchmarks: `gunicorn config.wsgi --config config/gunicorn.conf.py`."""

import os

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
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
