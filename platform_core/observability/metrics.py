"""The platform's Prometheus metrics, one definition each, shared by every process.

With PROMETHEUS_MULTIPROC_DIR set (gunicorn, uvicorn and Celery under `make run` and in production)
each process writes its values to its own mmap file there and /metrics sums the files, so a request
is counted once whichever gunicorn worker served it, and Celery's counters show up beside them.
Other apps define their own metrics with prometheus_client directly: the multiprocess collector
reads every file of the directory, so they appear without being registered here.

Gauges of shared state (queue depths, jobs by state, dead letters) are read when /metrics is
scraped (scrape.py), not kept up to date on the hot path.
"""

from __future__ import annotations

import os

from prometheus_client import Counter, Gauge, Histogram

if _multiprocess_dir := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(_multiprocess_dir, exist_ok=True)  # each process's files are created as its metrics are

# --- HTTP (ObservabilityMiddleware) -------------------------------------------------------
HTTP_REQUESTS = Counter(
    "platform_http_requests_total",
    "HTTP requests answered, by URL name (route), method and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "platform_http_request_duration_seconds",
    "Time from the first middleware to the response, by URL name and method.",
    ["route", "method"],
    buckets=(0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10),
)
HTTP_IN_FLIGHT = Gauge(
    "platform_http_requests_in_flight",
    "Requests being answered now, summed over the live processes.",
    multiprocess_mode="livesum",
)
HTTP_SHED = Counter("platform_http_shed_total", "Requests refused with 503 because the server was overloaded.")
HTTP_QUEUE_WAIT = Histogram(
    "platform_http_queue_wait_seconds",
    "Time a request waited in its web process's queue for a thread (platform_core.shedding), shed or served.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5),  # past 1 s (WEB_SHED_AFTER_MS): shed
)

# --- Database (db.py: every query through an execute wrapper) ------------------------------
DB_QUERY_LATENCY = Histogram(
    "platform_db_query_duration_seconds",
    "Duration of each SQL statement as Django sees it, by database alias.",
    ["alias"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
)
DB_QUERIES_PER_REQUEST = Histogram(
    "platform_db_queries_per_request",
    "SQL statements run by one HTTP request.",
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100),
)
DB_TIME_PER_REQUEST = Histogram(
    "platform_db_time_per_request_seconds",
    "Time one HTTP request spent in SQL statements.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5),
)
DB_SLOW_QUERIES = Counter("platform_db_slow_queries_total", "Statements slower than SLOW_QUERY_MS.", ["alias"])
DB_POOL_SIZE = Gauge(
    "platform_db_pool_connections", "Connections open in the processes' pools.", ["alias"], multiprocess_mode="livesum"
)
DB_POOL_IN_USE = Gauge(
    "platform_db_pool_in_use", "Pool connections lent out (sampled).", ["alias"], multiprocess_mode="livesum"
)
DB_POOL_WAITING = Gauge(
    "platform_db_pool_waiting",
    "Requests waiting for a pool connection (sampled).",
    ["alias"],
    multiprocess_mode="livesum",
)

# --- Cache (CACHES["default"] is observability.cache.InstrumentedRedisCache) ---------------
CACHE_REQUESTS = Counter("platform_cache_requests_total", "Cache reads by result.", ["result"])

# --- Celery (celery.py signal handlers) --------------------------------------------------
TASK_RUNTIME = Histogram(
    "platform_celery_task_duration_seconds",
    "Run time of a Celery task, by task name and outcome.",
    ["task", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
TASK_FAILURES = Counter("platform_celery_task_failures_total", "Tasks that raised (after retries).", ["task"])
TASK_RETRIES = Counter("platform_celery_task_retries_total", "Tasks sent back for a retry.", ["task"])
JOB_RUNS = Counter(
    "platform_job_runs_total",
    "Runs of job tasks by outcome: succeeded, failed (for good), retrying, cancelled, skipped, superseded.",
    ["task", "outcome"],
)
DEAD_LETTERS_RECORDED = Counter("platform_dead_letters_recorded_total", "Tasks and jobs that failed for good.")

# --- WebSockets (realtime consumers) ------------------------------------------------------
WS_OPEN = Gauge("platform_ws_connections_open", "Open WebSockets, summed over processes.", multiprocess_mode="livesum")
WS_EVENTS_SENT = Counter("platform_ws_events_sent_total", "Frames pushed to sockets, by event type.", ["type"])
WS_DISCONNECTS = Counter(
    "platform_ws_disconnects_total", "Sockets closed, by kind: normal or dropped (no clean close).", ["kind"]
)

# --- AI gateway (integrations.ai increments these) ----------------------------------------
AI_PROVIDER_429 = Counter("platform_ai_provider_429_total", "429 answers from an AI provider.", ["provider"])

# --- Process (set once at start; RSS and CPU are read from /proc at scrape time) -----------
PROCESS_INFO = Gauge(
    "platform_process_info", "One per live platform process: its kind (web, ws, worker).", ["kind"],
    multiprocess_mode="liveall",
)  # fmt: skip

# Names of the gauges scrape.py computes when /metrics is read (documented here for the contract).
SCRAPE_TIME_GAUGES = (
    "platform_celery_queue_depth",  # {queue}: messages waiting in the broker
    "platform_celery_oldest_message_age_seconds",  # {queue}: age of the message waiting longest
    "platform_jobs",  # {state}: jobs by status
    "platform_dead_letters_open",
    "platform_process_resident_memory_bytes",  # {kind, pid}
    "platform_process_cpu_seconds_total",  # {kind, pid}
)


def process_kind_set(kind: str) -> None:
    """Mark this process as a web, ws or worker process (its RSS and CPU get that label)."""
    PROCESS_INFO.labels(kind).set(1)
