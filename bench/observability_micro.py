"""CPU of the instrumentation itself, in-process (robust on a shared machine where wrk numbers drift):
one request's metric writes in multiprocess mode, one cache read's counter, one JSON request log line,
and merging a metrics directory the way /metrics does.

    .venv/bin/python bench/observability_micro.py [--iterations 20000]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
METRICS_DIR = tempfile.mkdtemp(prefix="bench-micro-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = METRICS_DIR  # before prometheus_client is imported

from prometheus_client import CollectorRegistry, generate_latest  # noqa: E402
from prometheus_client.multiprocess import MultiProcessCollector  # noqa: E402

from platform_core.observability import metrics as m  # noqa: E402
from platform_core.observability.cache import CACHE_HITS  # noqa: E402
from platform_core.observability.context import context_begin, context_end  # noqa: E402
from platform_core.observability.logs import JsonFormatter  # noqa: E402


def request_metrics() -> None:
    """What ObservabilityMiddleware and the SQL timer write for a request of 4 statements."""
    token = context_begin(request_id="bench")
    m.HTTP_IN_FLIGHT.inc()
    for _ in range(4):
        m.DB_QUERY_LATENCY.labels("default").observe(0.001)
    m.HTTP_IN_FLIGHT.dec()
    m.HTTP_REQUESTS.labels("job-list", "GET", "200").inc()
    m.HTTP_LATENCY.labels("job-list", "GET").observe(0.005)
    m.DB_QUERIES_PER_REQUEST.observe(4)
    m.DB_TIME_PER_REQUEST.observe(0.004)
    context_end(token)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=20000)
    args = parser.parse_args()
    logger = logging.getLogger("platform.request")
    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 - for the process's life
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    extra = {"route": "job-list", "method": "GET", "status": 200, "duration_ms": 5.0, "db_queries": 4, "user_id": 1}

    def request_log() -> None:
        token = context_begin(request_id="bench")
        logger.info("%s %s %s %.1fms", "GET", "job-list", 200, 5.0, extra=extra)
        context_end(token)

    print(f"\n{os.cpu_count()} CPUs (shared machine), {args.iterations} iterations, CPU time (process_time)\n")
    print("| what | CPU per call |")
    print("|---|---:|")
    for name, call in (
        ("one request's metric writes (4 SQL statements)", request_metrics),
        ("one cache read's counter (InstrumentedRedisCache)", lambda: CACHE_HITS.inc()),
        ("one JSON request log line", request_log),
    ):
        call()
        start = time.process_time()
        for _ in range(args.iterations):
            call()
        print(f"| {name} | {(time.process_time() - start) / args.iterations * 1e6:.1f} us |")
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=METRICS_DIR)
    generate_latest(registry)
    start = time.process_time()
    for _ in range(50):
        size = len(generate_latest(registry))
    per_scrape_ms = (time.process_time() - start) / 50 * 1000
    files = len(os.listdir(METRICS_DIR))
    print(f"| merging {files} metric files into /metrics text ({size} bytes) | {per_scrape_ms:.2f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
