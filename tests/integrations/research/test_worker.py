"""Research jobs end to end: real Chromium in real Celery workers, against a site served on 127.0.0.1,
files in the test stack's storage. Kept to a few tiny pages: Chromium is CPU hungry."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from assessments.models import CompanyRating
from integrations.research.models import CompanyProfile, Screenshot
from platform_core.models import Job
from tests.integrations.research.sites import CompanySite
from tests.support.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
FINISHED = {"succeeded", "failed", "cancelled"}
PNG = b"\x89PNG\r\n\x1a\n"


def post_job(client: APIClient, path: str, payload: dict) -> str:
    response = client.post(path, payload, format="json")
    assert response.status_code == 202, response.content
    return response.json()["jobId"]


def finished(job_id: str, timeout: float = 120) -> Job:
    return wait_for(
        lambda: (job := Job.objects.get(pk=job_id)).status in FINISHED and job, timeout=timeout, what=f"job {job_id}"
    )


def test_a_screenshot_is_stored_and_served_by_a_signed_link(celery_worker, site: CompanySite, client_a, client_b):
    job = finished(post_job(client_a, "/api/v1/research/screenshots", {"url": f"{site.url}/", "fullPage": True}))

    assert (job.status, job.error) == ("succeeded", "")
    result = job.result or {}
    assert (result["width"], result["final_url"]) == (1280, f"{site.url}/")
    download = APIClient().get(result["download_url"])  # no login: the signature is the permission
    body = b"".join(download.streaming_content)
    assert (download.status_code, download["Content-Type"]) == (200, "image/png")
    assert body.startswith(PNG) and len(body) == result["size"]
    shot = Screenshot.objects.get()
    assert shot.file_key.endswith(".png") and shot.size == len(body)
    assert site.user_agents and all(ua.startswith("AndruResearchBot/") for ua in site.user_agents)
    # Another customer sees neither the screenshot nor the job.
    assert client_b.get(f"/api/v1/research/screenshots/{shot.pk}").status_code == 404
    assert client_b.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    fresh = client_a.get(f"/api/v1/research/screenshots/{shot.pk}").json()
    assert fresh["screenshotId"] == str(shot.pk) and fresh["downloadUrl"]


def test_a_company_is_researched_from_its_home_and_linked_pages(celery_worker, site: CompanySite, client_a, client_b):
    job = finished(post_job(client_a, "/api/v1/research/companies", {"url": site.url}))

    assert (job.status, job.error) == ("succeeded", "")
    result = job.result or {}
    assert result["title"] == "Acme Freight Cloud"
    assert result["description"] == "Dispatch software for mid-size logistics carriers."
    assert "Route planning for freight fleets" in result["headings"]
    sections = {s["section"]: s["url"] for s in result["sources"]}
    assert sections == {
        "home": f"{site.url}/", "about": f"{site.url}/about", "pricing": f"{site.url}/pricing",
        "customers": f"{site.url}/customers", "careers": f"{site.url}/careers",
    }  # fmt: skip
    signals = result["signals"]
    assert signals["employee_count_hints"] == ["250 employees"]
    assert {"per_seat", "free_trial", "subscription"} <= set(signals["pricing_model"])
    assert "Logistics" in signals["industries"]
    assert signals["customer_logos"] == ["Globex Shipping", "Initech Freight"]
    assert any("Rotterdam" in e["text"] for e in result["excerpts"])
    assert APIClient().get(result["screenshot_url"]).status_code == 200
    profile = CompanyProfile.objects.get()
    assert (profile.domain, profile.status) == (f"127.0.0.1:{site.port}", "ok")

    # Re-used within RESEARCH_CACHE_HOURS: the site is not visited again.
    hits = sum(site.hits.values())
    again = finished(post_job(client_a, "/api/v1/research/companies", {"domain": site.url}))
    assert (again.result or {})["profile_id"] == str(profile.pk) and sum(site.hits.values()) == hits
    # Profiles are the customer's own.
    assert client_b.get(f"/api/v1/research/companies/{profile.pk}").status_code == 404
    assert client_b.get("/api/v1/research/companies").json()["count"] == 0
    assert client_a.get(f"/api/v1/research/companies/{profile.pk}").json()["title"] == "Acme Freight Cloud"


def test_robots_disallowed_and_private_redirect_targets_are_refused(celery_worker, site: CompanySite, client_a):
    robots = finished(post_job(client_a, "/api/v1/research/screenshots", {"url": f"{site.url}/private/report"}))
    redirect = finished(post_job(client_a, "/api/v1/research/companies", {"url": f"{site.url}/redirect-private"}))

    assert (robots.status, robots.error_code) == ("failed", "blocked_by_robots")
    assert site.hits["/private/report"] == 0 and site.hits["/robots.txt"] >= 1
    # 127.0.0.1 is allowed in tests (RESEARCH_ALLOWED_NETWORKS); the redirect's 169.254.169.254 never is.
    assert (redirect.status, redirect.error_code) == ("failed", "url_not_allowed")
    assert site.hits["/redirect-private"] == 1
    assert CompanyProfile.objects.get().status == "url_not_allowed"


def test_a_failing_or_slow_site_ends_the_job_site_unreachable(celery_worker, site: CompanySite, client_a):
    failing = post_job(client_a, "/api/v1/research/screenshots", {"url": f"{site.url}/status/503"})
    slow = post_job(client_a, "/api/v1/research/screenshots", {"url": f"{site.url}/slow", "timeoutSeconds": 2})

    failing_job, slow_job = finished(failing), finished(slow)
    assert (failing_job.status, failing_job.error_code) == ("failed", "site_unreachable")
    assert "HTTP 503" in failing_job.error
    assert (slow_job.status, slow_job.error_code) == ("failed", "site_unreachable")
    assert "did not load within 2s" in slow_job.error
    assert failing_job.attempts == slow_job.attempts == 1  # the site's answer is final: not retried


def test_a_browser_over_its_memory_cap_is_replaced_and_the_task_retries(celery_worker, site: CompanySite, client_a):
    job = finished(post_job(client_a, "/api/v1/research/screenshots", {"url": f"{site.url}/hog"}), timeout=180)

    # The first load allocated until the watchdog killed the browser; the retry got a new browser.
    assert (job.status, job.error, job.attempts) == ("succeeded", "", 2)
    assert site.hits["/hog"] == 2
    assert "replaced (memory)" in celery_worker.log()


def test_a_rating_cites_the_facts_of_the_site_it_visited(celery_worker, site: CompanySite, client_a):
    rated = finished(post_job(client_a, "/api/v1/jobs/rate-company", {"companyUrl": f"{site.url}/"}))
    closed = finished(post_job(client_a, "/api/v1/jobs/rate-company", {"companyUrl": "http://127.0.0.1:9/"}))

    assert (rated.status, rated.error) == ("succeeded", ""), rated.error
    rating = (rated.result or {})["rating"]
    assert rating["source"] == "offline"
    evidence = rating["evidence"]
    assert evidence["status"] == "found" and evidence["title"] == "Acme Freight Cloud"
    assert f"{site.url}/pricing" in evidence["sources"] and f"{site.url}/" in evidence["sources"]
    assert '"Acme Freight Cloud"' in rating["reasoning"] and "250 employees" in rating["reasoning"]
    assert "Logistics" in rating["breakdown"]["industryFit"]["explanation"]
    assert "Globex Shipping" in rating["reasoning"]

    assert (closed.status, closed.error) == ("succeeded", "")
    unreachable = (closed.result or {})["rating"]
    assert unreachable["evidence"]["status"] == "none"
    assert unreachable["evidence"]["reason"] == "site_unreachable"
    assert "evidence: none" in unreachable["reasoning"] and unreachable["score"] == 0
    stored = CompanyRating.objects.get(company_url=f"{site.url}/")
    assert stored.evidence["sources"] == evidence["sources"]
    listed = client_a.get("/api/v1/company-ratings/").json()["results"]
    assert {r["evidence"]["status"] for r in listed} == {"found", "none"}
