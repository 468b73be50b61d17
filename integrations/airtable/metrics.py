"""Prometheus metrics of the Airtable sync (default registry; /metrics collects it, multiprocess too)."""

from prometheus_client import Counter

requests_total = Counter(
    "platform_airtable_requests_total", "Requests sent to Airtable, by outcome.", ["outcome"]
)  # outcome: ok, rate_limited, server_error, timeout, rejected, unauthorized, not_found
rate_limited_total = Counter("platform_airtable_429_total", "429 answers received from Airtable.")
records_total = Counter(
    "platform_airtable_records_total", "Records synced, by direction and action.", ["direction", "action"]
)
