"""A real browser (Playwright driving Debian's chromium) signs in to the admin as staff, opens the
health page and sees its numbers change live when the push arrives over the staff WebSocket."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from platform_core.models import DeadLetter
from platform_core.observability.health_page import staff_health_publish
from tests.platform_core.factories import UserFactory
from tests.platform_core.observability_support import Gunicorn, Uvicorn, cleanup_dir, new_metrics_dir, observed_env
from tests.support.browser import admin_sign_in, browser_page, in_thread


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
        with browser_page() as (page, _):
            admin_sign_in(page, base_url=web.url, email=staff.email, next_path="/admin/health/")
            count = page.locator('[data-field="dead_letters_open"]')
            expect(count).to_have_text("1")
            expect(page.locator("#health-live")).to_have_text("live", timeout=30_000)

            in_thread(two_more_dead_letters_then_publish)
            expect(count).to_have_text("3", timeout=30_000)
            expect(page.locator("#health-live")).to_contain_text("live, updated")
    finally:
        web.stop()
        ws.stop()
        cleanup_dir(metrics_dir)
