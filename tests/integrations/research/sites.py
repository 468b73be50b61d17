"""A small company web site served on 127.0.0.1 by the test, plus the awkward pages research must survive:
slow, over the memory cap, disallowed by robots.txt, redirecting to a private address, failing."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="description" content="{description}"></head><body>{body}</body></html>"""

HOME = PAGE.format(
    title="Acme Freight Cloud",
    description="Dispatch software for mid-size logistics carriers.",
    body="""<h1>Acme Freight Cloud</h1><h2>Route planning for freight fleets</h2>
<p>Acme Freight Cloud helps logistics carriers plan shipping routes and keep every fleet on time.
Our team of 250 employees supports carriers in 14 countries.</p>
<nav><a href="/about">About us</a> <a href="/pricing">Pricing</a> <a href="/customers">Customers</a>
<a href="/careers">Careers</a> <a href="https://elsewhere.invalid/">Partner</a></nav>""",
)
ABOUT = PAGE.format(
    title="About Acme Freight Cloud", description="Who we are",
    body="<h1>About us</h1><p>Founded in 2015 in Rotterdam, we build freight dispatch software for carriers.</p>",
)  # fmt: skip
PRICING = PAGE.format(
    title="Pricing", description="Plans",
    body="<h1>Pricing</h1><p>Team plan: $49 per user per month, billed annually. Start a free trial today.</p>",
)  # fmt: skip
CUSTOMERS = PAGE.format(
    title="Customers", description="Who uses Acme",
    body="""<h1>Customers</h1><section class="customer-logos"><h2>Trusted by carriers</h2>
<img alt="Globex Shipping" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="> <img alt="Initech Freight"
src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></section>""",
)  # fmt: skip
CAREERS = PAGE.format(
    title="Careers", description="Jobs",
    body="<h1>Careers</h1><p>We are hiring an Account Executive and a Head of Revenue Operations.</p>",
)  # fmt: skip
# Allocates about 3 GB before `load`: the watchdog must kill the browser long before.
HOG = """<!doctype html><html><head><title>hog</title><script>
const keep = []; for (let i = 0; i < 400; i++) { keep.push(new Float64Array(1e6).fill(i)); }
</script></head><body>allocated</body></html>"""
RECOVERED = PAGE.format(title="Recovered", description="", body="<h1>Recovered after the browser was replaced</h1>")
ROBOTS = "User-agent: *\nDisallow: /private/\n"


class CompanySite:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.user_agents: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.hold_seconds = 10.0
        self.hold_release_at: float | None = None
        self.slow_seconds = 5.0
        self.home_status = 200  # e.g. 503: a company whose site is down
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def _hold(self) -> None:
        """Hold every /hold request until `hold_seconds` after the first one arrived, counting overlap."""
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            if self.hold_release_at is None:
                self.hold_release_at = time.monotonic() + self.hold_seconds
            release = self.hold_release_at
        time.sleep(max(0.0, release - time.monotonic()))
        with self._lock:
            self.in_flight -= 1

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _send(self, status: int, body: str, content_type: str = "text/html", **headers: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                with site._lock:
                    site.hits[path] += 1
                    count = site.hits[path]
                    site.user_agents.append(self.headers.get("User-Agent", ""))
                pages = {"/": HOME, "/about": ABOUT, "/pricing": PRICING, "/customers": CUSTOMERS, "/careers": CAREERS}
                if path == "/" and site.home_status != 200:
                    self._send(site.home_status, "unavailable")
                elif path in pages:
                    self._send(200, pages[path])
                elif path == "/robots.txt":
                    self._send(200, ROBOTS, "text/plain")
                elif path == "/slow":
                    time.sleep(site.slow_seconds)
                    self._send(200, PAGE.format(title="slow", description="", body="late"))
                elif path == "/hold":
                    site._hold()
                    self._send(200, PAGE.format(title="held", description="", body="<h1>held</h1>"))
                elif path == "/hog":
                    self._send(200, HOG if count == 1 else RECOVERED)
                elif path == "/redirect-private":
                    self._send(302, "", Location="http://169.254.169.254/latest/meta-data/")
                elif path.startswith("/status/"):
                    self._send(int(path.rsplit("/", 1)[1]), "failing")
                elif path == "/favicon.ico":
                    self._send(404, "")
                else:
                    self._send(200, PAGE.format(title=path, description="", body=f"<h1>{path}</h1>"))

        return Handler


@contextmanager
def test_site() -> Iterator[CompanySite]:
    site = CompanySite()
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()
