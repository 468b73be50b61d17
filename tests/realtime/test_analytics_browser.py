"""A real browser (Playwright driving Debian's chromium) on the staff analytics dashboard: gunicorn serves
the admin, uvicorn the socket, both on the test database; the page must render its charts with no console
error, ask nothing of another host, and grow live when an event is folded."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from platform_core.analytics import event_buffer_flush, event_record
from realtime.analytics.live import dashboard_updates_publish
from realtime.analytics.services import rollups_fold, views_refresh
from scripts.stack import free_port, stop, wait_for_port
from tests.platform_core.factories import PASSWORD, UserFactory
from tests.support.worker import platform_env, wait_for

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
SCREENSHOT = Path(os.environ.get("ANALYTICS_SCREENSHOT", Path(tempfile.gettempdir()) / "analytics-dashboard.png"))


@pytest.fixture
def web_server(asgi_server):
    port = free_port()
    env = platform_env(ANALYTICS_DASHBOARD_WS_URL=asgi_server.url)
    log = Path(tempfile.mkstemp(prefix="mp-gunicorn-", suffix=".log")[1])
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}",
             "--timeout", "120"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    wait_for_port(port, proc=proc, name="gunicorn")

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        wait_for(answers, timeout=180, what="gunicorn to answer")
    except AssertionError as exc:
        stop(proc)
        raise AssertionError(f"{exc}\n{log.read_text(errors='replace')}") from exc
    yield f"http://127.0.0.1:{port}"
    stop(proc)


@pytest.mark.django_db(transaction=True)
def test_staff_open_the_dashboard_in_a_browser_and_see_an_event_arrive_live(web_server):
    member = UserFactory()
    staff = UserFactory(customer=None, is_staff=True, is_superuser=True, email="staff-browser@example.com")
    for _ in range(3):
        event_record("export.requested", user=member, properties={"document": "icp", "format": "pdf"})
    event_buffer_flush()
    rollups_fold()
    views_refresh()

    errors: list[str] = []
    foreign: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "request",
            lambda request: foreign.append(request.url) if urlsplit(request.url).hostname != "127.0.0.1" else None,
        )
        page.goto(f"{web_server}/admin/login/?next=/admin/realtime/analyticsrollup/")
        page.fill("#id_username", staff.email)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/realtime/analyticsrollup/")

        assert page.locator('svg[data-chart="export.requested"] rect.bar').count() == 30
        today = page.locator('svg[data-chart="export.requested"] rect.bar').last
        assert float(today.get_attribute("data-value") or 0) >= 3
        page.wait_for_function("document.getElementById('live-state').textContent.includes('on')", timeout=30_000)

        event_record("export.requested", user=member, properties={"document": "icp", "format": "pdf"})
        event_buffer_flush()
        dashboard_updates_publish(delta=rollups_fold())
        page.wait_for_function("Number(document.getElementById('live-total').textContent) >= 1", timeout=30_000)
        assert float(today.get_attribute("data-value") or 0) >= 4  # today's bar grew without a reload
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        browser.close()

    assert errors == []
    assert foreign == []
