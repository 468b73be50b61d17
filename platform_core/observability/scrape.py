"""GET /metrics: every process's metrics (multiprocess files) plus gauges read at scrape time.

Access: with METRICS_TOKEN set, only `Authorization: Bearer <METRICS_TOKEN>`; without it, only a
client on the loopback address that came through no proxy (no X-Forwarded-For), i.e. a Prometheus
or curl on the same host. Everything else answers 401/403 in the platform's error shape.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from platform_core.api.errors import error_body

logger = logging.getLogger(__name__)

LOOPBACK = frozenset({"127.0.0.1", "::1"})
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# Other apps' gauges read at scrape time (their state lives in Redis or PostgreSQL), registered in
# their AppConfig.ready(): platform_core imports no other app.
_sources: dict[str, Callable[[], Iterable[Metric]]] = {}


def scrape_source_register(name: str, collect: Callable[[], Iterable[Metric]]) -> None:
    _sources[name] = collect


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


@cache
def broker_redis() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)


def queue_names() -> list[str]:
    return [queue.name for queue in settings.CELERY_TASK_QUEUES]


def broker_queues(now: float | None = None) -> dict[str, tuple[int, float]]:
    """Per queue: (messages waiting, age in seconds of the one waiting longest), one round trip.

    Kombu's Redis transport LPUSHes and BRPOPs, so the oldest message is the list's last item; its
    age comes from the `sent_at` header every platform message carries (observability.celery).
    """
    names = queue_names()
    pipe = broker_redis().pipeline(transaction=False)
    for name in names:
        pipe.llen(name)
        pipe.lindex(name, -1)
    replies = pipe.execute()
    now = time.time() if now is None else now
    result: dict[str, tuple[int, float]] = {}
    for index, name in enumerate(names):
        depth, oldest = int(replies[2 * index]), replies[2 * index + 1]
        age = 0.0
        if oldest:
            try:
                sent_at = float(json.loads(oldest).get("headers", {}).get("sent_at") or 0)
            except (ValueError, TypeError, AttributeError):
                sent_at = 0
            age = max(0.0, now - sent_at) if sent_at else 0.0
        result[name] = (depth, age)
    return result


def jobs_by_state() -> dict[str, int]:
    from platform_core.models import Job

    counts = {state: 0 for state in Job.Status.values}
    counts.update(dict(Job.objects.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")))
    return counts


def dead_letters_open() -> int:
    from platform_core.models import DeadLetter

    return DeadLetter.objects.filter(status=DeadLetter.Status.OPEN).count()


def _proc_usage(pid: int) -> tuple[float, float] | None:
    """(resident bytes, CPU seconds) of a live process, from /proc; None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[21]) * PAGE_SIZE, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class PlatformCollector(Collector):
    """The processes' own metrics, then what is read now: broker, jobs, dead letters, /proc."""

    def __init__(self, base: Collector) -> None:
        self.base = base

    def collect(self) -> Iterator[Metric]:
        processes: list[tuple[str, int]] = []
        for metric in self.base.collect():
            if metric.name == "platform_process_info":
                for sample in metric.samples:
                    pid = sample.labels.get("pid") or str(os.getpid())
                    if sample.value and pid.isdigit():
                        processes.append((sample.labels.get("kind", ""), int(pid)))
            yield metric
        yield from self._process_usage(processes)
        yield from self._shared_state()

    def _process_usage(self, processes: list[tuple[str, int]]) -> Iterator[Metric]:
        rss = GaugeMetricFamily(
            "platform_process_resident_memory_bytes", "Resident memory of a platform process.", labels=["kind", "pid"]
        )
        cpu = CounterMetricFamily(
            "platform_process_cpu_seconds", "User + system CPU of a platform process.", labels=["kind", "pid"]
        )
        for kind, pid in processes:
            usage = _proc_usage(pid)
            if usage is not None:
                rss.add_metric([kind, str(pid)], usage[0])
                cpu.add_metric([kind, str(pid)], usage[1])
        yield rss
        yield cpu

    def _shared_state(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("platform_metrics_source_up", "1 when a scrape-time source answered.", labels=["source"])
        try:
            queues = broker_queues()
        except redis.RedisError:
            logger.warning("metrics: the broker did not answer", exc_info=True)
            up.add_metric(["broker"], 0)
        else:
            up.add_metric(["broker"], 1)
            depth = GaugeMetricFamily("platform_celery_queue_depth", "Messages waiting in a queue.", labels=["queue"])
            age = GaugeMetricFamily(
                "platform_celery_oldest_message_age_seconds",
                "How long the oldest waiting message of a queue has waited (0 when empty).",
                labels=["queue"],
            )
            for name, (count, oldest) in queues.items():
                depth.add_metric([name], count)
                age.add_metric([name], oldest)
            yield depth
            yield age
        try:
            jobs, letters = jobs_by_state(), dead_letters_open()
        except Exception:  # a database hiccup must not take the process metrics down with it
            logger.warning("metrics: the database did not answer", exc_info=True)
            up.add_metric(["database"], 0)
        else:
            up.add_metric(["database"], 1)
            by_state = GaugeMetricFamily("platform_jobs", "Jobs by state.", labels=["state"])
            for state, count in jobs.items():
                by_state.add_metric([state], count)
            yield by_state
            yield GaugeMetricFamily("platform_dead_letters_open", "Dead letters waiting for staff.", value=letters)
        for name, collect in _sources.items():
            try:
                metrics = list(collect())
            except Exception:  # one source failing must not hide the others
                logger.warning("metrics: source %s failed", name, exc_info=True)
                up.add_metric([name], 0)
            else:
                up.add_metric([name], 1)
                yield from metrics
        yield up


def metrics_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    path = multiprocess_dir()
    base: Any = MultiProcessCollector(None, path=path) if path else REGISTRY
    registry.register(PlatformCollector(base))
    return registry


def scrape_allowed(request: HttpRequest) -> tuple[bool, int]:
    """(allowed, status to answer when not)."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode()), 401
    local = request.META.get("REMOTE_ADDR") in LOOPBACK and "HTTP_X_FORWARDED_FOR" not in request.META
    return local, 403


def metrics_view(request: HttpRequest) -> HttpResponse:
    allowed, status = scrape_allowed(request)
    if not allowed:
        message = (
            "Send Authorization: Bearer <METRICS_TOKEN>."
            if status == 401
            else "Metrics answer only on the loopback address unless METRICS_TOKEN is set."
        )
        return JsonResponse(error_body("metrics_forbidden", message), status=status)
    return HttpResponse(generate_latest(metrics_registry()), content_type="text/plain; version=0.0.4; charset=utf-8")
