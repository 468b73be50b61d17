"""The staff health page (/admin/health/): queues, jobs, dead letters, the last hour's API error rate
and p95, AI spend today; pushed to staff sockets (group `staff`) every STAFF_HEALTH_PUSH_SECONDS.

The last hour's HTTP numbers come from snapshots of the cumulative metrics: each process that can read
a metrics directory with HTTP counters (web processes on /metrics and on this page, a worker on the
same host) stores one snapshot a minute per host in Redis; the page compares the newest with the one
an hour older (or the oldest kept, for an instance up less than an hour).
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from channels.layers import get_channel_layer
from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.multiprocess import MultiProcessCollector

from platform_core.events import group_messages_publish
from platform_core.observability.scrape import broker_queues, multiprocess_dir

logger = logging.getLogger(__name__)
STAFF_GROUP = "staff"
SNAPSHOT_KEY = "observability:http-snapshots:"
SNAPSHOT_EVERY = 60.0
SNAPSHOTS_KEPT = 75  # minutes: an hour back, and some slack
LATENCY = "platform_http_request_duration_seconds"

# Other apps' figures (AI spend today ...), registered in their AppConfig.ready().
_figures: dict[str, Callable[[], Any]] = {}


def health_figure_register(name: str, compute: Callable[[], Any]) -> None:
    _figures[name] = compute


def http_totals() -> dict[str, Any] | None:
    """Cumulative requests, 5xx and latency buckets of this host's processes (the scrape excluded)."""
    path = multiprocess_dir()
    collector: Any = MultiProcessCollector(None, path=path) if path else REGISTRY
    requests = errors = 0.0
    buckets: dict[str, float] = {}
    for metric in collector.collect():
        if metric.name == "platform_http_requests":
            for sample in metric.samples:
                if sample.name.endswith("_total") and sample.labels.get("route") != "metrics":
                    requests += sample.value
                    errors += sample.value if sample.labels.get("status", "").startswith("5") else 0
        elif metric.name == LATENCY:
            for sample in metric.samples:
                if sample.name.endswith("_bucket") and sample.labels.get("route") != "metrics":
                    buckets[sample.labels["le"]] = buckets.get(sample.labels["le"], 0.0) + sample.value
    if not requests:
        return None
    return {"at": time.time(), "requests": requests, "errors": errors, "buckets": buckets}


def http_snapshot_record() -> None:
    """At most once a minute per host: keep this host's cumulative HTTP numbers in Redis."""
    key = SNAPSHOT_KEY + socket.gethostname()
    if not cache.add(key + ":lock", 1, timeout=int(SNAPSHOT_EVERY)):
        return
    totals = http_totals()
    if totals is None:
        return
    client = cache.client.get_client()  # type: ignore[attr-defined]
    client.lpush(key, json.dumps(totals))
    client.ltrim(key, 0, SNAPSHOTS_KEPT - 1)
    client.expire(key, 2 * 3600)


def _quantile(q: float, buckets: dict[str, float]) -> float | None:
    """histogram_quantile over cumulative buckets {le: count}, as Prometheus interpolates it."""
    bounds = sorted((float(le), count) for le, count in buckets.items())
    if not bounds or bounds[-1][1] <= 0:
        return None
    rank, lower, below = q * bounds[-1][1], 0.0, 0.0
    for bound, count in bounds:
        if count >= rank:
            if bound == float("inf"):
                return lower
            return lower + (bound - lower) * ((rank - below) / max(count - below, 1e-9))
        lower, below = bound, count
    return lower


def last_hour_http() -> dict[str, Any]:
    """Error rate and p95 of the last hour, summed over hosts, from the stored snapshots."""
    client = cache.client.get_client()  # type: ignore[attr-defined]
    requests = errors = 0.0
    buckets: dict[str, float] = {}
    window = 0.0
    for key in client.scan_iter(match=f"{SNAPSHOT_KEY}*", count=100):  # raw keys: one list per host
        snapshots = [json.loads(raw) for raw in client.lrange(key, 0, -1)]
        if len(snapshots) < 2:
            continue
        newest = snapshots[0]
        older = [s for s in snapshots if newest["at"] - s["at"] >= 3600]
        base = older[0] if older else snapshots[-1]
        window = max(window, newest["at"] - base["at"])
        requests += newest["requests"] - base["requests"]
        errors += newest["errors"] - base["errors"]
        for le, count in newest["buckets"].items():
            buckets[le] = buckets.get(le, 0.0) + count - base["buckets"].get(le, 0.0)
    p95 = _quantile(0.95, buckets)
    return {
        "requests": int(requests),
        "error_rate": (errors / requests) if requests else None,
        "p95_ms": round(p95 * 1000) if p95 is not None else None,
        "window_minutes": round(window / 60),
    }


def health_snapshot() -> dict[str, Any]:
    from platform_core.models import DeadLetter, Job

    hour_ago = timezone.now() - timedelta(hours=1)
    try:
        queues = {
            name: {"depth": depth, "oldest_seconds": round(age)} for name, (depth, age) in broker_queues().items()
        }
    except Exception:  # the page still shows the rest when the broker is down
        logger.warning("health page: the broker did not answer", exc_info=True)
        queues = {}
    figures: dict[str, Any] = {}
    for name, compute in _figures.items():
        try:
            figures[name] = compute()
        except Exception:
            logger.warning("health page: figure %s failed", name, exc_info=True)
            figures[name] = None
    return {
        "at": timezone.now().isoformat(timespec="seconds"),
        "queues": queues,
        "jobs": {
            "queued": Job.objects.filter(status=Job.Status.QUEUED).count(),
            "running": Job.objects.filter(status=Job.Status.RUNNING).count(),
            "failed_last_hour": Job.objects.filter(status=Job.Status.FAILED, finished_at__gte=hour_ago).count(),
        },
        "dead_letters_open": DeadLetter.objects.filter(status=DeadLetter.Status.OPEN).count(),
        "http_last_hour": last_hour_http(),
        **figures,
    }


def staff_health_publish() -> dict[str, Any]:
    """Record this host's HTTP snapshot when it has one, then push the numbers to staff sockets."""
    http_snapshot_record()
    snapshot = health_snapshot()
    layer = get_channel_layer()
    if layer is not None:
        group_messages_publish(layer, [(STAFF_GROUP, {"type": "staff.health", "health": snapshot})])
    return snapshot


@staff_member_required
def health_page_view(request: HttpRequest) -> HttpResponse:
    from django.conf import settings
    from django.contrib import admin

    http_snapshot_record()
    context = {
        **admin.site.each_context(request),  # the admin's header, title and navigation
        "title": "Platform health",
        "health": health_snapshot(),
        "ws_url": settings.STAFF_HEALTH_WS_URL,
        "push_seconds": settings.STAFF_HEALTH_PUSH_SECONDS,
    }
    return render(request, "admin/health.html", context)
