"""The pool across processes: five pages at once per host however many worker processes there are,
and no browser left behind when a worker is killed with -9."""

from __future__ import annotations

import os
import subprocess

import psutil
import pytest
from rest_framework.test import APIClient

from integrations.research.pool import RESEARCH_OWNER_ENV, browser_processes, browsers_reap_orphans, owner_of
from platform_core.models import Job
from tests.integrations.research.sites import CompanySite
from tests.support.worker import CeleryWorker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
FINISHED = {"succeeded", "failed", "cancelled"}


def post_screenshot(client: APIClient, url: str) -> str:
    response = client.post("/api/v1/research/screenshots", {"url": url}, format="json")
    assert response.status_code == 202, response.content
    return response.json()["jobId"]


def finished(job_id: str) -> Job:
    return wait_for(
        lambda: (job := Job.objects.get(pk=job_id)).status in FINISHED and job, timeout=180, what=f"job {job_id}"
    )


def owned_by(worker: CeleryWorker) -> list:
    """Browser processes (driver, Chromium, renderers) started by this worker's pool processes."""
    children = {str(pid) for pid in worker.child_pids()}
    return [p for p in browser_processes() if owner_of(p).split(":")[0] in children]


def browsers_started(worker: CeleryWorker) -> int:
    return worker.log().count("research pool: browser started")


def test_five_concurrent_pages_never_become_six(site: CompanySite, client_a):
    """Six pool processes in two workers (plus any other research worker of the run) share five slots.

    Every /hold request is held until 12 s after the first arrived: with five slots, five pages wait
    there together and the others wait for a slot; one slot too many and the site would see six.
    """
    env = {"BROWSER_POOL_SIZE": "5", "BROWSER_PREWARM": "true", "RESEARCH_DOMAIN_RATE_PER_SECOND": "50"}
    workers = [CeleryWorker(queues="research", concurrency=3, env=env) for _ in range(2)]
    try:
        for worker in workers:
            worker.start()
        # Every process has its browser before the pages are sent, so all of them compete at once.
        wait_for(lambda: all(browsers_started(w) == 3 for w in workers), timeout=120, what="six warm browsers")
        site.hold_seconds = 12.0
        job_ids = [post_screenshot(client_a, f"{site.url}/hold?n={i}") for i in range(7)]
        jobs = [finished(job_id) for job_id in job_ids]
    finally:
        for worker in workers:
            worker.stop()
    assert [job.status for job in jobs] == ["succeeded"] * 7, [job.error for job in jobs]
    assert site.hits["/hold"] == 7
    assert site.max_in_flight == 5


def test_no_browser_process_outlives_a_worker_killed_with_minus_9(site: CompanySite, client_a):
    env = {"BROWSER_PREWARM": "true"}
    worker = CeleryWorker(queues="research", concurrency=2, env=env).start()
    try:
        wait_for(lambda: browsers_started(worker) == 2, timeout=120, what="two warm browsers")
        site.slow_seconds = 30.0
        post_screenshot(client_a, f"{site.url}/slow")
        wait_for(lambda: site.hits["/slow"] >= 1, timeout=60, what="a page in flight")
        owners = {owner_of(p) for p in owned_by(worker)} - {""}
        assert len(owners) == 2  # both pool processes have a browser, one of them is rendering
        worker.kill()  # the worker's process group; Chromium runs in its own group
        replacement = CeleryWorker(queues="research", concurrency=1).start()
    finally:
        worker.kill()
    try:
        # The new worker reaped what the dead one left: no process of its browsers remains.
        wait_for(
            lambda: not [p for p in browser_processes() if owner_of(p) in owners],
            timeout=30, what="orphaned browsers reaped",
        )  # fmt: skip
        assert not [p for p in browser_processes() if owner_of(p) in owners]
    finally:
        replacement.stop()


def test_the_reaper_kills_browsers_whose_worker_is_gone_and_spares_live_ones(tmp_path):
    """A Chromium left by a dead worker (its owner tag names a process that no longer exists) is killed;
    one whose owner is alive (this test process) is not."""

    def chromium(owner: str, profile: str) -> subprocess.Popen:
        return subprocess.Popen(
            ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
             f"--user-data-dir={tmp_path / profile}", "about:blank"],
            env={**os.environ, RESEARCH_OWNER_ENV: owner}, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    me = psutil.Process()
    orphan = chromium("4194304:0.00", "orphan")  # no such pid: its worker is gone
    alive = chromium(f"{me.pid}:{me.create_time():.2f}", "alive")
    try:
        wait_for(lambda: len([p for p in browser_processes() if owner_of(p).startswith("4194304:")]) >= 1)
        assert browsers_reap_orphans() >= 1
        assert orphan.wait(10) == -9
        assert alive.poll() is None
        assert not [p for p in browser_processes() if owner_of(p).startswith("4194304:")]
    finally:
        for proc in (orphan, alive):
            if proc.poll() is None:
                os.killpg(proc.pid, 9)
                proc.wait()
