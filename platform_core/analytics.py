"""Usage events from anywhere: `event_record(...)` appends to an in-process buffer and returns.

platform_core imports no other app, so the writer (realtime.analytics.writer: one COPY per batch
into the partitioned events table) registers itself here at startup (RealtimeConfig.ready), as
integrations.email does for platform_core.notifications. A daemon thread per process hands the
buffer to the writer every ANALYTICS_FLUSH_INTERVAL_S (1 s) or as soon as ANALYTICS_FLUSH_BATCH
events wait. Recording never touches the network and never raises into the caller: a request pays
one deque append. What a process holds when it is killed -9 is lost: at most one flush interval
of events (a clean exit flushes at exit). A failed write keeps the rows for the next flush, up to
ANALYTICS_BUFFER_MAX waiting events; beyond that new events are dropped and counted.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from prometheus_client import Counter

logger = logging.getLogger(__name__)

# (occurred_at, customer_id, user_id, type, properties, source)
EventRow = tuple[datetime, int | None, int | None, str, dict[str, Any], str]

EVENTS_RECORDED = Counter("analytics_events_recorded_total", "Usage events handed to the analytics writer")
EVENTS_DROPPED = Counter("analytics_events_dropped_total", "Usage events lost: buffer full or no writer", ["reason"])
FLUSH_FAILURES = Counter("analytics_flush_failures_total", "Batches the analytics writer failed to store")


class Writer(Protocol):
    def __call__(self, rows: Sequence[EventRow]) -> object: ...


_writer: Writer | None = None


def event_writer_register(writer: Writer) -> None:
    global _writer
    _writer = writer


class _Buffer:
    def __init__(self) -> None:
        self.rows: deque[EventRow] = deque()
        self.flush_lock = threading.Lock()
        self.wake = threading.Event()
        self.pid = 0
        self.start_lock = threading.Lock()

    def append(self, row: EventRow) -> None:
        if self.pid != os.getpid():  # first event of this process (or of a forked worker)
            self._start()
        if len(self.rows) >= settings.ANALYTICS_BUFFER_MAX:
            EVENTS_DROPPED.labels("buffer_full").inc()
            return
        self.rows.append(row)
        if len(self.rows) >= settings.ANALYTICS_FLUSH_BATCH:
            self.wake.set()

    def _start(self) -> None:
        with self.start_lock:
            if self.pid == os.getpid():
                return
            self.rows = deque()  # a fork's copy of the parent's buffer is the parent's to write
            self.wake = threading.Event()
            self.flush_lock = threading.Lock()
            self.pid = os.getpid()
            threading.Thread(target=self._run, name="analytics-flush", daemon=True).start()

    def _run(self) -> None:
        while True:
            self.wake.wait(settings.ANALYTICS_FLUSH_INTERVAL_S)
            self.wake.clear()
            self.flush()

    def flush(self) -> int:
        """Write what waits now; returns how many events were stored."""
        with self.flush_lock:
            batch: list[EventRow] = []
            while self.rows and len(batch) < settings.ANALYTICS_FLUSH_BATCH * 4:
                batch.append(self.rows.popleft())
            if not batch:
                return 0
            if _writer is None:
                EVENTS_DROPPED.labels("no_writer").inc(len(batch))
                return 0
            try:
                _writer(batch)
            except Exception:  # the database is away: keep the rows for the next flush, within the cap
                FLUSH_FAILURES.inc()
                logger.warning("analytics: could not store %d events; retrying next flush", len(batch), exc_info=True)
                room = max(0, settings.ANALYTICS_BUFFER_MAX - len(self.rows))
                self.rows.extendleft(reversed(batch[:room]))
                if len(batch) > room:
                    EVENTS_DROPPED.labels("buffer_full").inc(len(batch) - room)
                return 0
            EVENTS_RECORDED.inc(len(batch))
            return len(batch)


_buffer = _Buffer()


def event_record(
    type: str,
    *,
    user: Any = None,
    customer_id: int | None = None,
    user_id: int | None = None,
    properties: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
    source: str = "server",
) -> None:
    """Record that something happened (`type` from realtime.analytics.catalogue); returns at once.

    `user` fills user_id and customer_id. Never raises: analytics must not fail the action it counts.
    """
    try:
        if user is not None:
            user_id = user_id if user_id is not None else user.pk
            customer_id = customer_id if customer_id is not None else user.customer_id
        _buffer.append((occurred_at or timezone.now(), customer_id, user_id, type, properties or {}, source))
    except Exception:
        logger.warning("analytics: event %s not recorded", type, exc_info=True)


def event_buffer_flush() -> int:
    """Write the buffered events now (tests, benchmarks, exit); returns how many were stored.

    Loops until the buffer is empty or a write fails, then waits for a write the thread has in flight.
    """
    total = 0
    while _buffer.rows:
        stored = _buffer.flush()
        if not stored:
            break
        total += stored
    with _buffer.flush_lock:  # a batch the flush thread already took is stored before this returns
        pass
    return total


def event_buffer_size() -> int:
    return len(_buffer.rows)


@atexit.register
def _flush_at_exit() -> None:
    if _buffer.rows and _buffer.pid == os.getpid():
        try:
            event_buffer_flush()
        except Exception:  # the interpreter is going away; nothing else to do
            logger.debug("analytics: flush at exit failed", exc_info=True)


# --- Reading usage from apps that may not import realtime (exports' usage reports) ------------


UsageReader = Callable[..., dict[str, Any]]


_readers: dict[str, UsageReader] = {}


_has_usage: Callable[..., bool] | None = None


def usage_reader_register(*, customer: UsageReader, platform: UsageReader, has_usage: Callable[..., bool]) -> None:
    """realtime registers its dashboard selectors here (RealtimeConfig.ready)."""
    global _has_usage
    _readers.update(customer=customer, platform=platform)
    _has_usage = has_usage


def usage_for_customer(*, customer: Any, range_key: str = "30d") -> dict[str, Any]:
    """A customer's dashboard numbers (realtime.analytics.selectors.customer_dashboard)."""
    return _readers["customer"](customer=customer, range_key=range_key)


def usage_for_platform(*, days: int = 7) -> dict[str, Any]:
    """The staff dashboard's numbers (realtime.analytics.selectors.staff_dashboard)."""
    return _readers["platform"](days=days)


def usage_recorded_for(*, customer: Any) -> bool:
    """Whether the customer has any folded usage yet (a cheap check on the primary)."""
    return bool(_has_usage and _has_usage(customer=customer))
