"""A real browser (Playwright driving Debian's chromium) on the staff analytics dashboard: gunicorn serves
the admin (the dashboard reading the streaming standby), uvicorn the staff socket, both on the test database.
The page must render its charts from the seeded events with no console error, ask nothing of another host,
and grow live when an event is folded.

The expected numbers are the server's own: `staff_dashboard()` read right after the materialized views were
refreshed is what the page renders, and read again after the live fold (and a refresh) is what a reload would
show, which the page must show without one.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from platform_core.analytics import event_buffer_flush, event_record
from realtime.analytics.selectors import staff_dashboard
from realtime.analytics.services import rollups_fold, views_refresh
from realtime.tasks import analytics_fold
from tests.platform_core.factories import UserFactory
from tests.platform_core.observability_support import Uvicorn
from tests.support.browser import admin_sign_in, browser_page, in_thread
from tests.support.replica import replica_database_url, wait_replicated
from tests.support.web import WebServer

DASHBOARD = "/admin/realtime/analyticsrollup/"
EXPORT = "export.requested"
LIVE_TIMEOUT_MS = 60_000  # the fold's push crosses Redis and uvicorn on a busy 2-core machine


def screenshot_path() -> Path:
    configured = os.environ.get("ANALYTICS_SCREENSHOT")
    if configured:
        return Path(configured)
    return Path(tempfile.mkstemp(prefix="analytics-dashboard-", suffix=".png")[1])


def export_requested(user: Any) -> None:
    event_record(EXPORT, user=user, properties={"document": "icp", "format": "pdf"})


def record_fold_and_read(user: Any) -> dict[str, Any]:
    """One more export, folded by the beat task's own code (which pushes the delta to the staff group);
    then what a reload of the dashboard would read."""
    export_requested(user)
    event_buffer_flush()
    assert analytics_fold() >= 1  # messages sent: the customer's group and the staff group
    views_refresh()
    wait_replicated()
    return staff_dashboard()


def chart(page: Page, key: str) -> Any:
    return page.locator(f'svg[data-chart="{key}"]')


@pytest.mark.django_db(databases=["default", "replica"], transaction=True)
def test_staff_open_the_dashboard_in_a_browser_and_see_an_event_arrive_live(capsys):
    member = UserFactory()
    staff = UserFactory(customer=None, is_staff=True, is_superuser=True)
    for _ in range(3):
        export_requested(member)
    event_buffer_flush()
    rollups_fold()
    views_refresh()
    wait_replicated()  # the page reads the standby, as dashboards do
    before = staff_dashboard()
    today_exports = before["series"][EXPORT][-1]
    assert today_exports >= 3 and before["active_users"][-1] >= 1, before

    ws = Uvicorn(env={"DJANGO_ENV": "test", "LOG_FORMAT": "console"}).start()
    web = WebServer(
        DATABASE_REPLICA_URL=replica_database_url(),
        ANALYTICS_DASHBOARD_WS_URL=ws.url,
        WEB_WORKERS="1",
        WEB_THREADS="4",
        LOG_FORMAT="console",
    )
    shot = screenshot_path()
    try:
        web.start(timeout=180)
        with browser_page(width=1400, height=1000) as (page, record):
            admin_sign_in(page, base_url=web.url, email=staff.email, next_path="/admin/")
            page.locator("#content-main").get_by_role("link", name="Analytics rollups").click()
            page.wait_for_url(re.compile(re.escape(DASHBOARD) + "$"))
            expect(page.locator("#content h1")).to_have_text(["Analytics"])  # once: the admin's title

            # The charts render the seeded numbers: a bar per day for 30 days, today's the seeded count.
            exports = chart(page, EXPORT)
            expect(exports).to_be_visible()
            bars = exports.locator("rect.bar")
            expect(bars).to_have_count(30)
            today = bars.last
            expect(today).to_have_attribute("data-value", str(today_exports))
            assert float(today.get_attribute("height") or 0) > 0
            expect(exports.locator("text.chart-top")).to_have_text(f"max {max(before['series'][EXPORT])}")
            expect(chart(page, "active_users").locator("rect.bar").last).to_have_attribute(
                "data-value", str(before["active_users"][-1])
            )
            expect(page.locator(f'[data-total="{EXPORT}"]')).to_have_text(str(before["totals"][EXPORT]))
            expect(page.locator("#live-total")).to_have_text("0")
            expect(page.locator("#live-state")).to_have_text("Live updates: on", timeout=LIVE_TIMEOUT_MS)
            page.evaluate("window.openedOnce = true")  # gone if the page reloads

            after = in_thread(lambda: record_fold_and_read(member))
            added = sum(after["totals"].values()) - sum(before["totals"].values())
            assert after["series"][EXPORT][-1] == today_exports + 1

            # Without a reload, the page now shows what a reload would.
            expect(page.locator("#live-total")).to_have_text(str(added), timeout=LIVE_TIMEOUT_MS)
            expect(today).to_have_attribute("data-value", str(after["series"][EXPORT][-1]))
            expect(exports.locator("text.chart-top")).to_have_text(f"max {max(after['series'][EXPORT])}")
            expect(page.locator(f'[data-total="{EXPORT}"]')).to_have_text(str(after["totals"][EXPORT]))
            room, top = float(exports.get_attribute("data-room") or 0), max(after["series"][EXPORT])
            expected_height = room * after["series"][EXPORT][-1] / top  # today's bar redrawn to the new scale
            assert float(today.get_attribute("height") or 0) == pytest.approx(expected_height, abs=0.1)
            assert page.evaluate("window.openedOnce") is True  # the same page grew: no reload
            page.screenshot(path=str(shot), full_page=True)

        with capsys.disabled():
            print(f"\nstaff analytics dashboard screenshot: {shot}")
        assert record.errors == []
        assert record.requests and record.not_loopback() == []
        assert any(url.startswith(ws.url) for url in record.requests)  # the live socket, on 127.0.0.1 too
    finally:
        web.stop()
        ws.stop()
