"""Pieces of observability checked in-process: what a log line holds and hides, how cache reads are
counted, and how the health page turns stored metric snapshots into the last hour's error rate and p95."""

from __future__ import annotations

import json
import logging
import time

import pytest
from django.core.cache import cache
from prometheus_client import REGISTRY

from platform_core.observability.context import context_begin, context_end
from platform_core.observability.health_page import SNAPSHOT_KEY, last_hour_http
from platform_core.observability.logs import ConsoleFormatter, JsonFormatter, scrub_text


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("platform.test", logging.WARNING, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def test_a_json_line_carries_the_context_and_fields_and_hides_secrets():
    token = context_begin(request_id="req-123", job_id="job-9")
    try:
        line = JsonFormatter().format(
            _record(
                "calling %s with password=%s", "Bearer abcdefghijklmnop", "hunter2-hunter2",
                route="job-list", status=200, api_key="mp_live_secret_value", body={"password": "p4ss", "n": 1},
                note="key sk-ant-abcdefghijklmnopqrstuv and whsec_c2VjcmV0c2VjcmV0",
            )
        )  # fmt: skip
    finally:
        context_end(token)
    entry = json.loads(line)
    assert entry["request_id"] == "req-123"
    assert entry["job_id"] == "job-9"
    assert entry["route"] == "job-list"
    assert entry["status"] == 200
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "platform.test"
    assert entry["body"] == {"password": "[redacted]", "n": 1}
    assert entry["api_key"] == "[redacted]"
    for secret in ("abcdefghijklmnop", "hunter2", "mp_live_secret_value", "p4ss", "sk-ant-abc", "whsec_c2Vj"):
        assert secret not in line


def test_the_console_line_names_the_request_and_hides_secrets():
    token = context_begin(request_id="req-456")
    try:
        line = ConsoleFormatter().format(_record("login with token=%s", "abc.def.ghi"))
    finally:
        context_end(token)
    assert "platform.test [req-456] login with token=[redacted]" in line


def _cache_reads(result: str) -> float:
    return REGISTRY.get_sample_value("platform_cache_requests_total", {"result": result}) or 0.0


def test_cache_reads_count_hits_and_misses_and_a_cached_none_is_a_hit():
    """get: 2 hits (1, a cached None), 1 miss. get_many of a, absent, b, a again: 1 hit, 2 misses
    (a key asked twice is read once). In all 3 hits, 3 misses."""
    hits, misses = _cache_reads("hit"), _cache_reads("miss")
    cache.set("obs:a", 1)
    cache.set("obs:none", None)
    assert cache.get("obs:a") == 1
    assert cache.get("obs:none", "fallback") is None
    assert cache.get("obs:absent", "fallback") == "fallback"
    assert cache.get_many(["obs:a", "obs:absent", "obs:b", "obs:a"]) == {"obs:a": 1}
    assert (_cache_reads("hit") - hits, _cache_reads("miss") - misses) == (3, 3)


@pytest.fixture
def snapshots():
    client = cache.client.get_client()
    keys = [f"{SNAPSHOT_KEY}host-a", f"{SNAPSHOT_KEY}host-b"]
    client.delete(*keys)
    yield client, keys
    client.delete(*keys)


def _snapshot(at: float, requests: float, errors: float, buckets: dict[str, float]) -> str:
    return json.dumps({"at": at, "requests": requests, "errors": errors, "buckets": buckets})


def test_the_last_hour_is_the_newest_snapshot_minus_the_one_an_hour_older_summed_over_hosts(snapshots):
    """Host a: 2 h ago 1,000 requests, 1 h ago 2,000, now 3,000 (10 of the last 1,000 are 5xx).
    Host b: up 30 min, 0 then 1,000 requests, none failed. Last hour: 2,000 requests, 10 errors = 0.5%.
    Latency, last hour (both hosts): 1,900 under 0.1 s, 100 between 0.5 and 1 s -> rank of p95 = 1,900,
    exactly the 0.1 s bucket's count: p95 = 100 ms."""
    client, (host_a, host_b) = snapshots
    now = time.time()
    for key, rows in (
        (host_a, [(now - 7200, 1000, 0, {"0.1": 900, "0.5": 900, "1": 1000, "+Inf": 1000}),
                  (now - 3600, 2000, 0, {"0.1": 1800, "0.5": 1800, "1": 2000, "+Inf": 2000}),
                  (now, 3000, 10, {"0.1": 2750, "0.5": 2750, "1": 3000, "+Inf": 3000})]),
        (host_b, [(now - 1800, 0, 0, {"0.1": 0, "0.5": 0, "1": 0, "+Inf": 0}),
                  (now, 1000, 0, {"0.1": 950, "0.5": 950, "1": 1000, "+Inf": 1000})]),
    ):  # fmt: skip
        for row in rows:  # oldest first: LPUSH leaves the newest at the head, as recording does
            client.lpush(key, _snapshot(*row))
    figures = last_hour_http()
    assert figures["requests"] == 2000
    assert figures["error_rate"] == pytest.approx(10 / 2000)
    assert figures["p95_ms"] == 100
    assert figures["window_minutes"] == 60


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: BEARER abcdefghijklmnop",
        "key SK-ABCDEFGHIJKLMNOPQRSTU in a message",
        "PassWord=hunter2-hunter2",
        "token eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4",
        "ünïcode text with api_key=abcdef1234",
    ],
)
def test_secrets_are_redacted_whatever_their_case(text):
    assert "[redacted]" in scrub_text(text)


def test_a_line_without_secrets_is_left_as_it_is():
    assert scrub_text("GET job-list 200 3.2ms") == "GET job-list 200 3.2ms"
