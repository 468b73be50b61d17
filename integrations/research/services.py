"""Research writes: screenshot and company research jobs, the page visits behind them, and the
evidence a rating uses. Every page goes through the pool (pool.py) and the fetch rules (fetch_rules.py).
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations.research import errors, fetch_rules
from integrations.research.extract import PAGE_FACTS_JS, linked_sections, profile_facts
from integrations.research.models import CompanyProfile, Screenshot
from integrations.research.pool import browser_pool
from integrations.research.proxy import checking_proxy
from integrations.research.storage import file_link, png_store
from platform_core.models import Customer, Job, User
from platform_core.services.jobs import job_create, job_progress

TASKS = "integrations.research.tasks"
MAX_DEPTH = 1


# --- Starting jobs (API) ----------------------------------------------------------------------


def screenshot_request(
    *, customer: Customer, user: User | None, url: str, full_page: bool, timeout_seconds: float | None = None
) -> Job:
    checked = fetch_rules.url_check(url)
    return job_create(
        kind="screenshot", task_name=f"{TASKS}.screenshot_capture", customer=customer, user=user,
        input={"url": checked, "full_page": full_page, "timeout_seconds": timeout_seconds},
    )  # fmt: skip


def company_research_request(*, customer: Customer, user: User | None, url: str, depth: int, refresh: bool) -> Job:
    checked = fetch_rules.url_check(url)
    return job_create(
        kind="company_research", task_name=f"{TASKS}.company_research", customer=customer, user=user,
        input={"url": checked, "depth": depth, "refresh": refresh},
    )  # fmt: skip


# --- One page ---------------------------------------------------------------------------------


@dataclass
class Visit:
    url: str
    final_url: str
    status: int
    facts: dict[str, Any]
    png: bytes | None = None


def _unreachable_from(exc: Exception, url: str, timeout_s: float) -> errors.ResearchError:
    message = str(exc).split("\n")[0][:300]
    if "Timeout" in type(exc).__name__ or "Timeout" in message:
        return errors.site_unreachable(f"{url} did not load within {timeout_s:g}s.", reason="timeout")
    return errors.site_unreachable(f"{url} could not be loaded: {message}", reason="network")


def page_visit(
    page: Any, url: str, *, screenshot: bool = False, full_page: bool = False, timeout_s: float | None = None
) -> Visit:
    """Load one page by the fetch rules: robots.txt, the domain's rate, the checking proxy, the caps."""
    from playwright.sync_api import Error as PlaywrightError

    proxy = checking_proxy()
    if not fetch_rules.robots_allowed(url, proxy_url=proxy.url):
        raise errors.blocked_by_robots(url)
    fetch_rules.domain_rate_wait(fetch_rules.registrable_host(url))
    budget = proxy.page_begin()
    try:
        response = page.goto(url, wait_until="load")
    except PlaywrightError as exc:
        if refused := proxy.refused_host(urlsplit(url).hostname or "") or budget.refused_private():
            # The page itself, or a redirect on the way to it, pointed at an address never fetched.
            raise errors.url_not_allowed(refused["message"], host=refused["host"], url=url) from exc
        if budget.over_budget:
            raise errors.site_unreachable(f"{url} is larger than the page size cap.", reason="too_large") from exc
        raise _unreachable_from(exc, url, timeout_s or settings.BROWSER_PAGE_TIMEOUT_S) from exc
    final_url = page.url
    if refused := proxy.refused_host(urlsplit(final_url).hostname or ""):
        raise errors.url_not_allowed(refused["message"], host=refused["host"], redirected_from=url)
    if response is None:
        raise errors.site_unreachable(f"{url} gave no response.", reason="network")
    if response.status >= 400:
        raise errors.site_unreachable(f"{url} answered HTTP {response.status}.", status=response.status)
    if budget.over_budget:
        raise errors.site_unreachable(f"{url} is larger than the page size cap.", reason="too_large")
    facts = page.evaluate(PAGE_FACTS_JS)
    png = page.screenshot(full_page=full_page, type="png") if screenshot else None
    return Visit(url=url, final_url=final_url, status=response.status, facts=facts, png=png)


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk of every PNG
    return width, height


# --- Screenshots ------------------------------------------------------------------------------


def screenshot_result(shot: Screenshot) -> dict[str, Any]:
    link, expires_at = file_link(key=shot.file_key, file_name=f"screenshot-{shot.pk}.png")
    return {
        "screenshot_id": str(shot.pk), "url": shot.url, "final_url": shot.final_url, "full_page": shot.full_page,
        "width": shot.width, "height": shot.height, "size": shot.size, "download_url": link,
        "expires_at": expires_at.isoformat(),
    }  # fmt: skip


def screenshot_capture(*, job: Job) -> dict[str, Any]:
    assert job.customer is not None
    url, full_page = fetch_rules.url_precheck(job.input["url"]), bool(job.input.get("full_page"))
    timeout_s = job.input.get("timeout_seconds")
    job_progress(job=job, progress=10, message="Waiting for a browser")
    visit = browser_pool().run(
        lambda page: page_visit(page, url, screenshot=True, full_page=full_page, timeout_s=timeout_s),
        timeout_s=timeout_s,
    )
    job_progress(job=job, progress=80, message="Storing the screenshot")
    assert visit.png is not None
    shot_id = uuid.uuid4()
    key = f"research/screenshots/{job.customer.pk}/{shot_id}.png"
    png_store(key=key, data=visit.png)
    width, height = png_size(visit.png)
    shot = Screenshot.objects.create(
        id=shot_id, customer=job.customer, job=job, url=url, final_url=visit.final_url, full_page=full_page,
        file_key=key, size=len(visit.png), width=width, height=height,
    )  # fmt: skip
    return screenshot_result(shot)


# --- Company research -------------------------------------------------------------------------


def profile_result(profile: CompanyProfile) -> dict[str, Any]:
    result: dict[str, Any] = {
        "profile_id": str(profile.pk), "domain": profile.domain, "url": profile.url, "status": profile.status,
        "title": profile.title, "description": profile.description, "headings": profile.headings,
        "excerpts": profile.excerpts, "signals": profile.signals, "sources": profile.sources,
        "fetched_at": profile.fetched_at.isoformat(), "screenshot_url": None,
    }  # fmt: skip
    if profile.screenshot_key:
        result["screenshot_url"] = file_link(key=profile.screenshot_key, file_name=f"{profile.domain}.png")[0]
    if profile.status != CompanyProfile.Status.OK:
        result["error"] = {"code": profile.status, "message": profile.error_message, "status": profile.http_status}
    return result


def _profile_save(*, customer: Customer, job: Job | None, url: str, **fields: Any) -> CompanyProfile:
    domain = fetch_rules.site_key(url)
    with transaction.atomic():
        profile, _ = CompanyProfile.objects.select_for_update().update_or_create(
            customer=customer, domain=domain,
            defaults={"url": url, "job": job, "fetched_at": timezone.now(), "error_message": "", "http_status": None,
                      "title": "", "description": "", "headings": [], "excerpts": [], "signals": {}, "sources": [],
                      "screenshot_key": "", **fields},
        )  # fmt: skip
    return profile


def profile_cached(*, customer: Customer, url: str) -> CompanyProfile | None:
    fresh_after = timezone.now() - timedelta(hours=settings.RESEARCH_CACHE_HOURS)
    return CompanyProfile.objects.filter(
        customer=customer, domain=fetch_rules.site_key(url), status=CompanyProfile.Status.OK,
        fetched_at__gte=fresh_after,
    ).first()  # fmt: skip


def company_profile_research(
    *, customer: Customer, url: str, depth: int = 1, job: Job | None = None, refresh: bool = False
) -> CompanyProfile:
    """The company's profile: the cached one, or visit home + linked pages now. A site that cannot be
    researched is saved with its reason and raises ResearchError; a lost browser raises BrowserLost."""
    url = fetch_rules.url_check(url)
    if not refresh and (cached := profile_cached(customer=customer, url=url)):
        return cached
    try:
        fetch_rules.url_precheck(url)
    except errors.ResearchError as exc:
        _profile_save(customer=customer, job=job, url=url, status=exc.code, error_message=exc.message)
        raise
    page_budget = settings.RESEARCH_MAX_PAGES if depth >= 1 else 1  # depth 0: the home page only

    def visit_site(page: Any) -> tuple[Visit, list[dict[str, Any]]]:
        home = page_visit(page, url, screenshot=True)
        pages = [{"url": home.final_url, "section": "home", "status": home.status, "facts": home.facts}]
        for section, link in linked_sections(home.final_url, home.facts["links"], page_budget - 1):
            try:
                visit = page_visit(page, link)
            except errors.ResearchError as exc:  # one linked page failing leaves the rest of the profile
                pages.append({"url": link, "section": section, "status": exc.details.get("status"),
                              "error": exc.code, "facts": None})  # fmt: skip
                continue
            pages.append({"url": visit.final_url, "section": section, "status": visit.status, "facts": visit.facts})
        return home, pages

    try:
        home, pages = browser_pool().run(visit_site)
    except errors.ResearchError as exc:
        _profile_save(
            customer=customer, job=job, url=url, status=exc.code, error_message=exc.message,
            http_status=exc.details.get("status"),
        )  # fmt: skip
        raise
    if job is not None:
        job_progress(job=job, progress=80, message=f"Read {len(pages)} pages of {home.final_url}")
    read = [p for p in pages if p["facts"] is not None]
    key = f"research/profiles/{customer.pk}/{uuid.uuid4()}.png"
    assert home.png is not None
    png_store(key=key, data=home.png)
    sources = [
        {"url": p["url"], "section": p["section"], "status": p["status"],
         "title": (p["facts"] or {}).get("title", ""), **({"error": p["error"]} if "error" in p else {})}
        for p in pages
    ]  # fmt: skip
    return _profile_save(
        customer=customer, job=job, url=url, status=CompanyProfile.Status.OK, sources=sources, screenshot_key=key,
        **profile_facts(read),
    )  # fmt: skip


def company_research(*, job: Job) -> dict[str, Any]:
    assert job.customer is not None
    job_progress(job=job, progress=10, message="Waiting for a browser")
    profile = company_profile_research(
        customer=job.customer, url=job.input["url"], depth=int(job.input.get("depth", 1)), job=job,
        refresh=bool(job.input.get("refresh")),
    )  # fmt: skip
    return profile_result(profile)


# --- Evidence for ratings (called by assessments) ------------------------------------------


def company_evidence(*, customer: Customer, url: str, depth: int = 1) -> dict[str, Any]:
    """What a rating may cite about the company: facts from its pages, or `none` with the reason.

    Never raises for the site's state (unreachable, robots, private address); a lost browser or a
    busy pool raises a RetryableError so the rating task tries again.
    """
    try:
        profile = company_profile_research(customer=customer, url=url, depth=depth)
    except errors.ResearchError as exc:
        return {
            "status": "none", "reason": exc.code, "message": exc.message, "http_status": exc.details.get("status"),
            "sources": [],
        }  # fmt: skip
    return {
        "status": "found", "profile_id": str(profile.pk), "title": profile.title, "description": profile.description,
        "headings": profile.headings[:15], "excerpts": profile.excerpts[:8], "signals": profile.signals,
        "sources": [s["url"] for s in profile.sources if "error" not in s],
        "fetched_at": profile.fetched_at.isoformat(),
    }  # fmt: skip
