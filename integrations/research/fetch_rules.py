"""What the research pool may fetch: http(s) only, public addresses only, robots.txt, a per-domain rate.

The address check runs where the connection is made (integrations.research.proxy resolves the name once
and connects to the address it checked), so a redirect, a subresource or a DNS answer that changes
between two look-ups cannot reach a private address. `url_check` is the early check an API request gets.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import time
import urllib.robotparser
from urllib.parse import urlsplit, urlunsplit

import redis
import requests
from django.conf import settings
from django.core.cache import cache

from integrations.research import errors

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_LENGTH = 2000
ROBOTS_MAX_BYTES = 512 * 1024


@functools.cache
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30)


def research_redis() -> redis.Redis:
    return _redis(settings.RESEARCH_REDIS_URL)


def url_normalize(raw: str) -> str:
    """An absolute http(s) URL with a host, or invalid_url; a bare domain gets https://."""
    value = (raw or "").strip()
    if not value or len(value) > MAX_URL_LENGTH or any(c.isspace() for c in value):
        raise errors.invalid_url("Give an absolute http(s) URL or a domain name.")
    if "://" not in value:
        value = f"https://{value}"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise errors.invalid_url("Only http and https URLs can be researched.")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise errors.invalid_url("The URL's port is not a number.") from exc
    if not host or parts.username or parts.password:
        raise errors.invalid_url("The URL needs a host name and no user or password.")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise errors.invalid_url("The host name is not valid.") from exc
    if port is not None and not 0 < port < 65536:
        raise errors.invalid_url("The URL's port is out of range.")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


@functools.cache
def _allowed_networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec if item)


def address_allowed(address: IPAddress) -> bool:
    """Public unicast addresses, plus the networks RESEARCH_ALLOWED_NETWORKS exempts (tests: loopback)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in net for net in _allowed_networks(tuple(settings.RESEARCH_ALLOWED_NETWORKS))):
        return True
    return address.is_global and not address.is_multicast


def host_resolve(host: str, port: int) -> list[IPAddress]:
    """Every address of `host`, or url_not_allowed when any is not allowed (no partial trust)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise errors.site_unreachable(f"The host {host} does not resolve.", status=None, reason="dns") from exc
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address_allowed(address):
            raise errors.url_not_allowed(
                f"{host} resolves to a private or reserved address, which is never fetched.", host=host
            )
        if address not in addresses:
            addresses.append(address)
    return addresses


def url_check(raw: str) -> str:
    """The normalized URL when it may be researched; invalid_url / url_not_allowed otherwise."""
    url = url_normalize(raw)
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not address_allowed(literal):
        raise errors.url_not_allowed("Private, loopback and link-local addresses are never fetched.", host=host)
    local_name = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
    if local_name and not address_allowed(ipaddress.ip_address("127.0.0.1")):
        raise errors.url_not_allowed("Local host names are never fetched.", host=host)
    return url


def url_precheck(raw: str) -> str:
    """url_check plus a look-up now, so an unresolvable or private host fails before a browser starts.
    (The proxy checks again at connect time: this answer is not trusted for the connection.)"""
    url = url_check(raw)
    parts = urlsplit(url)
    host_resolve(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    return url


def registrable_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def site_key(url: str) -> str:
    """A company's profile key: its host without www., and the port when one is given."""
    parts = urlsplit(url)
    return registrable_host(url) + (f":{parts.port}" if parts.port else "")


# --- Per-domain rate (all workers share it) ---------------------------------------------------

_NEXT_SLOT = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local next_free = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, next_free)
redis.call('SET', KEYS[1], tostring(start + interval), 'PX', math.ceil((start - now + interval) * 1000) + 1000)
return tostring(start - now)
"""


def domain_rate_wait(host: str) -> float:
    """Book the next request slot for `host` (RESEARCH_DOMAIN_RATE_PER_SECOND across workers) and sleep to it."""
    rate = settings.RESEARCH_DOMAIN_RATE_PER_SECOND
    if rate <= 0:
        return 0.0
    wait = float(research_redis().eval(_NEXT_SLOT, 1, f"research:rate:{host}", time.time(), 1.0 / rate))
    if wait > 0:
        time.sleep(wait)
    return wait


# --- robots.txt -----------------------------------------------------------------------------


def _robots_text(origin: str, proxy_url: str) -> str:
    """robots.txt through the checking proxy; a missing file (4xx) allows everything, 5xx disallows all."""
    try:
        response = requests.get(
            f"{origin}/robots.txt", proxies={"http": proxy_url, "https": proxy_url}, stream=True,
            headers={"User-Agent": settings.RESEARCH_USER_AGENT}, timeout=settings.BROWSER_PAGE_TIMEOUT_S,
            allow_redirects=True,
        )  # fmt: skip
    except requests.RequestException:
        return ""  # unreachable robots.txt: the page fetch itself reports the site's state
    with response:
        if 400 <= response.status_code < 500:
            return ""
        if response.status_code >= 500:
            return "User-agent: *\nDisallow: /\n"
        body = response.raw.read(ROBOTS_MAX_BYTES, decode_content=True)
    return body.decode("utf-8", errors="replace")


def robots_allowed(url: str, *, proxy_url: str) -> bool:
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    key = f"research:robots:{origin}"
    text = cache.get(key)
    if text is None:
        text = _robots_text(origin, proxy_url)
        cache.set(key, text, settings.RESEARCH_ROBOTS_CACHE_SECONDS)
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(text.splitlines())
    return parser.can_fetch(settings.RESEARCH_USER_AGENT, url)
