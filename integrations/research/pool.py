"""The browser pool: one Chromium per research worker process, BROWSER_POOL_SIZE pages at once per host.

Why a Redis semaphore and not only a worker with fixed concurrency: the cap must hold for every
process on the host (ops may run two research workers, or a rating task and a screenshot task in
different pools), and a semaphore with leases is the one place that sees them all. Deploy the
research worker with `--concurrency BROWSER_POOL_SIZE`, so there are as many browsers as slots and
none waits; the semaphore keeps the cap when anything else runs there too. A slot is a lease
(page timeout + margin): a worker killed mid-page frees its slot when the lease ends.

Every page gets its own browser context (no cookies, storage or cache shared between customers or
pages). A watchdog thread reads the browser's RSS (all its processes) while a page renders; past
BROWSER_MAX_RSS_MB it kills the browser, the page fails with BrowserLost and the task retries on a
new one. A browser that crashed is replaced the same way.

Leaks: every browser process carries RESEARCH_OWNER_ENV=<worker pid>:<start time> in its
environment; `browsers_reap_orphans` (run when a worker starts) kills those whose owner is gone,
e.g. after `kill -9` of a worker (Playwright starts Chromium in its own process group, so killing
the worker's group does not take the browser with it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import psutil
from django.conf import settings

from integrations.research import metrics
from integrations.research.errors import BrowserLost, PoolBusy
from integrations.research.fetch_rules import research_redis
from integrations.research.proxy import checking_proxy

logger = logging.getLogger(__name__)
T = TypeVar("T")

RESEARCH_OWNER_ENV = "MP_RESEARCH_OWNER"
# trial-install-notes §12, plus: every connection through the checking proxy (loopback included).
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp", "--proxy-bypass-list=<-loopback>",
]  # fmt: skip
WATCH_INTERVAL_S = 0.2
VIEWPORT = {"width": 1280, "height": 800}

_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('EXPIRE', KEYS[1], 3600)
  return 1
end
return 0
"""


def slots_key() -> str:
    return f"research:pages:{socket.gethostname()}"


SLOT_LEASE_S = 15.0  # renewed every few seconds while the page renders; a killed worker's slot frees itself


@contextlib.contextmanager
def page_slot() -> Iterator[str]:
    """One of BROWSER_POOL_SIZE page slots on this host; PoolBusy (retried) after BROWSER_SLOT_WAIT_S."""
    client, key, token = research_redis(), slots_key(), uuid.uuid4().hex
    deadline = time.monotonic() + settings.BROWSER_SLOT_WAIT_S
    while not client.eval(_ACQUIRE, 1, key, time.time(), time.time() + SLOT_LEASE_S, settings.BROWSER_POOL_SIZE, token):
        if time.monotonic() > deadline:
            raise PoolBusy()
        time.sleep(0.05)
    done = threading.Event()

    def renew() -> None:
        while not done.wait(SLOT_LEASE_S / 4):
            with contextlib.suppress(Exception):
                client.zadd(key, {token: time.time() + SLOT_LEASE_S}, xx=True)

    renewer = threading.Thread(target=renew, name="research-slot", daemon=True)
    renewer.start()
    try:
        yield token
    finally:
        done.set()
        client.zrem(key, token)


def _owner_tag(pid: int) -> str:
    return f"{pid}:{psutil.Process(pid).create_time():.2f}"


def _owner_alive(tag: str) -> bool:
    pid_text, _, started = tag.partition(":")
    try:
        return f"{psutil.Process(int(pid_text)).create_time():.2f}" == started
    except (psutil.Error, ValueError):
        return False


def owner_of(proc: psutil.Process) -> str:
    """The owner tag of a pool process; "" when it is gone or not one of ours."""
    try:
        return proc.environ().get(RESEARCH_OWNER_ENV, "")
    except psutil.Error:
        return ""


def browser_processes(*, orphaned_only: bool = False) -> list[psutil.Process]:
    """Processes started for the research pool on this machine (driver, browser, renderers)."""
    found = []
    for proc in psutil.process_iter(["name"]):
        if not (proc.info["name"] or "").startswith(("chrom", "node", "playwright")):
            continue
        try:
            tag = proc.environ().get(RESEARCH_OWNER_ENV)
        except psutil.Error:
            continue
        if tag and (not orphaned_only or not _owner_alive(tag)):
            found.append(proc)
    return found


def browsers_reap_orphans() -> int:
    """Kill pool processes whose worker is gone; the number killed."""
    orphans = browser_processes(orphaned_only=True)
    for proc in orphans:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    if orphans:
        logger.warning("research pool: killed %d orphaned browser processes", len(orphans))
    return len(orphans)


class _Watchdog:
    """Samples the browser's RSS while a page renders; kills the browser past the cap."""

    def __init__(self, root: psutil.Process | None, cap_bytes: int) -> None:
        self.root, self.cap_bytes = root, cap_bytes
        self.tripped_rss = 0
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="research-watchdog", daemon=True)

    def __enter__(self) -> _Watchdog:
        if self.root is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2)

    def _run(self) -> None:
        while not self._stop.wait(WATCH_INTERVAL_S):
            rss = browser_rss(self.root)
            self.peak_rss = max(self.peak_rss, rss)
            metrics.RSS_BYTES.set(rss)
            if rss > self.cap_bytes:
                self.tripped_rss = rss
                kill_tree(self.root)
                return


def browser_rss(root: psutil.Process | None) -> int:
    """RSS summed over the browser's processes (shared pages counted per process: an upper bound)."""
    if root is None:
        return 0
    total = 0
    with contextlib.suppress(psutil.Error):
        for proc in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
    return total


def kill_tree(root: psutil.Process | None) -> None:
    if root is None:
        return
    with contextlib.suppress(psutil.Error):
        procs = [root, *root.children(recursive=True)]
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                proc.send_signal(signal.SIGKILL)


class BrowserPool:
    """This process's share of the pool: one browser, launched on first use, replaced when lost."""

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None
        self._root: psutil.Process | None = None
        self._pages = 0
        self._thread: ThreadPoolExecutor | None = None
        self.peak_rss = 0

    @property
    def root_pid(self) -> int | None:
        return self._root.pid if self._root else None

    def _launch(self) -> Any:
        from playwright.sync_api import sync_playwright

        if self._playwright is None:
            os.environ[RESEARCH_OWNER_ENV] = _owner_tag(os.getpid())  # inherited by the driver and Chromium
            self._playwright = sync_playwright().start()
        proxy = checking_proxy()
        before = {p.pid for p in psutil.Process().children(recursive=True)}
        browser = self._playwright.chromium.launch(
            executable_path=settings.BROWSER_EXECUTABLE_PATH, args=[*CHROMIUM_FLAGS, f"--proxy-server={proxy.url}"],
            handle_sigint=False, handle_sigterm=False, handle_sighup=False, timeout=60_000,
        )  # fmt: skip
        new = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
        chromes = [p for p in new if p.name().startswith("chrom")]
        self._root = next((p for p in chromes if p.parent() not in chromes), None)
        self._browser, self._pages = browser, 0
        logger.info("research pool: browser started (pid %s)", self.root_pid)
        return browser

    def browser(self) -> Any:
        if self._browser is None or not self._browser.is_connected():
            if self._browser is not None:
                self.replace(reason="crash")
            return self._launch()
        return self._browser

    def replace(self, *, reason: str) -> None:
        """Drop this browser (killed if still running); the next page starts a new one."""
        browser, root = self._browser, self._root
        self._browser = self._root = None
        kill_tree(root)
        if browser is not None:
            with contextlib.suppress(Exception):
                browser.close()
        metrics.RESTARTS.labels(reason=reason).inc()
        logger.warning("research pool: browser %s replaced (%s)", root.pid if root else None, reason)

    def close(self) -> None:
        if self._browser is not None:
            with contextlib.suppress(Exception):
                self._browser.close()
        kill_tree(self._root)
        self._browser = self._root = None
        if self._playwright is not None:
            with contextlib.suppress(Exception):
                self._playwright.stop()
            self._playwright = None

    def run(
        self, visit: Callable[[Any], T], *, viewport: dict[str, int] | None = None, timeout_s: float | None = None
    ) -> T:
        """`visit(page)` on a fresh context and page of this process's browser, inside a host-wide slot.

        Playwright's sync API runs an event loop in its thread, where Django refuses database calls, so
        every browser call happens on one dedicated thread; `visit` must not touch the database.
        """  # fmt: skip
        self._executor().submit(self.browser).result()  # launched outside the slot: starting renders no page
        with page_slot():
            return self._executor().submit(self._run_page, visit, viewport, timeout_s).result()

    def _executor(self) -> ThreadPoolExecutor:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="research-browser")
        return self._thread

    def _run_page(self, visit: Callable[[Any], T], viewport: dict[str, int] | None, timeout_s: float | None) -> T:
        browser = self.browser()
        context = None
        outcome = "error"
        watchdog = _Watchdog(self._root, settings.BROWSER_MAX_RSS_MB * 1024 * 1024)
        metrics.ACTIVE_PAGES.inc()
        try:
            context = browser.new_context(
                user_agent=settings.RESEARCH_USER_AGENT, accept_downloads=False, service_workers="block",
                viewport=viewport or VIEWPORT,
            )  # fmt: skip
            timeout = min(timeout_s or settings.BROWSER_PAGE_TIMEOUT_S, settings.BROWSER_PAGE_TIMEOUT_S)
            context.set_default_timeout(timeout * 1000)
            context.set_default_navigation_timeout(timeout * 1000)
            context.route("**/*", _route_request)
            page = context.new_page()
            with watchdog:
                result = visit(page)
            outcome = "ok"
        except Exception as exc:
            if watchdog.tripped_rss:
                outcome = "memory"
                self.replace(reason="memory")
                raise BrowserLost(
                    f"The browser passed its memory cap ({watchdog.tripped_rss // 2**20} MB); retrying."
                ) from exc
            if self._browser is not None and not self._browser.is_connected():
                outcome = "crash"
                self.replace(reason="crash")
                raise BrowserLost("The browser crashed; retrying.") from exc
            outcome = getattr(exc, "code", "error")
            raise
        finally:
            metrics.ACTIVE_PAGES.dec()
            metrics.PAGES.labels(outcome=outcome).inc()
            self.peak_rss = max(self.peak_rss, watchdog.peak_rss)
            if context is not None and self._browser is not None:
                with contextlib.suppress(Exception):
                    context.close()
        self._pages += 1
        if self._pages >= settings.BROWSER_MAX_PAGES_PER_BROWSER:
            self.replace(reason="recycle")
        return result

    def prewarm(self) -> None:
        self._executor().submit(self.browser).result()

    def shutdown(self) -> None:
        if self._thread is not None:
            with contextlib.suppress(Exception):
                self._thread.submit(self.close).result(timeout=30)
            self._thread.shutdown(wait=False)
            self._thread = None


def _route_request(route: Any) -> None:
    """Only http(s) leaves the browser (the proxy then checks the address); no downloads of media."""
    url: str = route.request.url
    if url.startswith(("http://", "https://", "data:", "blob:")):
        route.continue_()
    else:
        route.abort("blockedbyclient")


_pool: BrowserPool | None = None


def browser_pool() -> BrowserPool:
    global _pool
    if _pool is None:
        _pool = BrowserPool()
    return _pool


def browser_pool_close() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown()
        _pool = None
