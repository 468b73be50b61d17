"""A real browser for staff pages: Playwright driving Debian's chromium (.ci/run installs it; Playwright
cannot download browsers here), with every console error and every request the page makes recorded."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

from django.db import connections
from playwright.sync_api import ConsoleMessage, Page, sync_playwright

from tests.platform_core.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
# A busy 2-core machine: a page load or a locator may take far longer than Playwright's 30 s default.
PAGE_TIMEOUT_MS = 90_000

T = TypeVar("T")


def in_thread(fn: Callable[[], T]) -> T:
    """The ORM (and async_to_sync) off Playwright's event loop thread: Django refuses sync queries inside a
    running loop."""

    def call() -> T:
        try:
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


@dataclass
class PageRecord:
    """What a page did: console errors and uncaught exceptions, and the URL of every request and socket."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":  # "Failed to load resource" names no URL: its location does
            self.errors.append(f"{message.text} at {message.location.get('url', '?')}")

    def not_loopback(self) -> list[str]:
        return [url for url in self.requests if urlsplit(url).hostname != "127.0.0.1"]


@contextmanager
def browser_page(*, width: int = 1280, height: int = 900) -> Iterator[tuple[Page, PageRecord]]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=PAGE_TIMEOUT_MS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            page.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
            record = PageRecord()
            page.on("console", record.console)
            page.on("pageerror", lambda error: record.errors.append(str(error)))
            page.on("request", lambda request: record.requests.append(request.url))
            page.on("websocket", lambda socket: record.requests.append(socket.url))
            yield page, record
        finally:
            browser.close()


def admin_sign_in(page: Page, *, base_url: str, email: str, next_path: str, password: str = PASSWORD) -> None:
    """Through the admin's real login form, landing on `next_path`."""
    page.goto(f"{base_url}/admin/login/?next={next_path}")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))
