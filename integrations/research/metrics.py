"""Prometheus metrics of the browser pool (collected by the process's registry; /metrics serves it)."""

from prometheus_client import Counter, Gauge

PAGES = Counter("platform_browser_pages_total", "Pages rendered by the research pool", ["outcome"])
ACTIVE_PAGES = Gauge("platform_browser_active_pages", "Pages rendering now in this process")
RSS_BYTES = Gauge("platform_browser_rss_bytes", "Resident memory of this process's browser (all its processes)")
RESTARTS = Counter("platform_browser_restarts_total", "Browsers replaced", ["reason"])
