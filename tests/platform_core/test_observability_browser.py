"""A real browser (Playwright driving Debian's chromium) signs in to the admin as staff, opens the
health page and sees its numbers change live when the push arrives over the staff WebSocket."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from platform_core.models import DeadLetter
from platform_core.observability.health_page import staff_health_publish
from tests.platform_core.factories import PASSWORD, UserFactory
from tests.platform_core.observability_support import Gunicorn, Uvicorn, cleanup_dir, new_metrics_dir, observed_env

CHROMIUM = "/usr/bin/chromium"  # Debian's package (.ci/run installs it); Playwright cannot download browsers here
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def in_thread(fn: Callable[[], object]) -> object:
    """The ORM off Playwright's event loop thread (Django refuses sync queries inside a running loop)."""

    def call() -> object:
        try:
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def two_more_dead_letters_then_publish() -> None:
    for n in range(2):
        DeadLetter.objects.create(task_name=f"tests.browser.more{n}", error="boom")
    staff_health_publish()  # what beat runs every 10 s


@pytest.mark.django_db(transaction=True)
def test_staff_watch_the_dead_letter_count_change_live_on_the_health_page():
    metrics_dir = new_metrics_dir()
    ws = Uvicorn(env=observed_env(metrics_dir, LOG_FORMAT="console")).start()
    web = Gunicorn(workers=1, env=observed_env(metrics_dir, STAFF_HEALTH_WS_URL=ws.url, LOG_FORMAT="console"))
    web.start()
    staff = UserFactory(is_staff=True, customer=None)
    DeadLetter.objects.create(task_name="tests.browser.first", error="boom")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"{web.url}/admin/login/?next=/admin/health/")
            page.fill("#id_username", staff.email)
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url(re.compile(r"/admin/health/$"))
            count = page.locator('[data-field="dead_letters_open"]')
            expect(count).to_have_text("1")
            expect(page.locator("#health-live")).to_have_text("live", timeout=30_000)

            in_thread(two_more_dead_letters_then_publish)
            expect(count).to_have_text("3", timeout=30_000)
            expect(page.locator("#health-live")).to_contain_text("live, updated")
            browser.close()
    finally:
        web.stop()
        ws.stop()
        cleanup_dir(metrics_dir)
