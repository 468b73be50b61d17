"""Research pool throughput, memory and leaks; a 50-company rate-batch with research.

Runs against the database and Redis of the environment, so start it through the stack script:

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/research.py
    ... bench/research.py --pages 500 --companies 50

Phases (one table each), all against company sites served on 127.0.0.1 by this script:
1. Pages/min: `--pages` screenshot jobs (a tiny page, viewport PNG stored in the default storage)
   through a research worker with BROWSER_POOL_SIZE=5 and --concurrency 5, and the same with 1
   (the baseline of the ratio, measured in the same run). Peak RSS per browser (all its processes)
   and in total, sampled every 0.25 s; browser processes left after the worker stops.
2. kill -9: a worker is killed mid-run; a new worker starts (its reaper runs); browser processes
   of the dead worker still alive are counted.
3. Rate-batch: one `rate-batch` job over `--companies` company sites (one in ten answering 503:
   marked unreachable), researched through the pool and rated by the offline provider; every
   company rated or unreachable, none lost, time per company (gaps between stored ratings).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import threading
import time
import uuid
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("RESEARCH_ALLOWED_NETWORKS", "127.0.0.0/8")  # the sites are local
os.environ.setdefault("RESEARCH_DOMAIN_RATE_PER_SECOND", "1000")  # one host serves every page here

from bench.common import percentiles  # noqa: E402 - after the path

FINISHED = {"succeeded", "failed", "cancelled"}


def setup() -> Any:
    import django

    django.setup()
    from django.core.management import call_command

    from platform_core.models import Customer, User

    call_command("migrate", verbosity=0)
    run = uuid.uuid4().hex[:8]
    customer = Customer.objects.create(name=f"Bench Research {run}", slug=f"bench-research-{run}", tier="paid")
    return User.objects.create_user(f"bench-{run}@example.com", uuid.uuid4().hex, customer=customer, role="owner")


class RssSampler:
    """Peak RSS per browser (owner tag) and of all browsers together, sampled in a thread."""

    def __init__(self) -> None:
        self.peak_per_browser = 0
        self.peak_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        from integrations.research.pool import browser_processes, owner_of

        while not self._stop.wait(0.25):
            per: dict[str, int] = defaultdict(int)
            for proc in browser_processes():
                try:
                    if proc.name().startswith("chrom"):
                        per[owner_of(proc)] += proc.memory_info().rss
                except Exception:  # noqa: S112 - gone meanwhile
                    continue
            if per:
                self.peak_per_browser = max(self.peak_per_browser, max(per.values()))
                self.peak_total = max(self.peak_total, sum(per.values()))


def wait_jobs(job_ids: list[str], timeout: float) -> list[Any]:
    from platform_core.models import Job

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = list(Job.objects.filter(pk__in=job_ids))
        if len(jobs) == len(job_ids) and all(j.status in FINISHED for j in jobs):
            return jobs
        time.sleep(0.25)
    raise SystemExit(f"jobs not finished within {timeout}s")


def owners_of(worker: Any) -> set[str]:
    from integrations.research.pool import browser_processes, owner_of

    children = {str(pid) for pid in worker.child_pids()}
    return {tag for p in browser_processes() if (tag := owner_of(p)).split(":")[0] in children}


def alive_of(owners: set[str]) -> int:
    from integrations.research.pool import browser_processes, owner_of

    return len([p for p in browser_processes() if owner_of(p) in owners])


def pages_phase(user: Any, url: str, *, pages: int, pool: int) -> dict[str, Any]:
    from integrations.research.services import screenshot_request
    from tests.support.worker import CeleryWorker, wait_for

    env = {"BROWSER_POOL_SIZE": str(pool), "BROWSER_PREWARM": "true"}
    worker = CeleryWorker(queues="research", concurrency=pool, env=env).start()
    try:
        wait_for(lambda: worker.log().count("browser started") >= pool, timeout=120, what="warm browsers")
        owners = owners_of(worker)
        with RssSampler() as rss:
            started = time.monotonic()
            ids = [str(screenshot_request(customer=user.customer, user=user, url=f"{url}/?p={i}", full_page=False).pk)
                   for i in range(pages)]  # fmt: skip
            jobs = wait_jobs(ids, timeout=pages * 10)
            elapsed = time.monotonic() - started
    finally:
        worker.stop()
    time.sleep(2)
    return {
        "pool": pool, "pages": pages, "ok": sum(j.status == "succeeded" for j in jobs),
        "per_min": pages / elapsed * 60, "peak_browser_mb": rss.peak_per_browser / 2**20,
        "peak_total_mb": rss.peak_total / 2**20, "leaked": alive_of(owners),
    }  # fmt: skip


def kill_phase(user: Any, url: str) -> dict[str, Any]:
    from integrations.research.services import screenshot_request
    from tests.support.worker import CeleryWorker, wait_for

    worker = CeleryWorker(queues="research", concurrency=5, env={"BROWSER_PREWARM": "true"}).start()
    try:
        wait_for(lambda: worker.log().count("browser started") >= 5, timeout=120, what="warm browsers")
        owners = owners_of(worker)
        for i in range(20):
            screenshot_request(customer=user.customer, user=user, url=f"{url}/?k={i}", full_page=False)
        time.sleep(3)  # pages rendering
        before = alive_of(owners)
    finally:
        worker.kill()
    replacement = CeleryWorker(queues="research", concurrency=1).start()
    time.sleep(2)
    after = alive_of(owners)
    replacement.stop()
    return {"before": before, "after": after}


def batch_phase(user: Any, companies: int) -> dict[str, Any]:
    from assessments.models import CompanyRating
    from assessments.services.ai_content import ai_job_start
    from tests.integrations.research.sites import test_site
    from tests.support.worker import CeleryWorker

    with ExitStack() as stack:
        urls = []
        for i in range(companies):
            site = stack.enter_context(test_site())
            if i % 10 == 9:
                site.home_status = 503  # its site is down: rated with evidence none
            urls.append(f"{site.url}/")
        worker = CeleryWorker(queues="research", concurrency=1).start()
        try:
            started = time.monotonic()
            job = ai_job_start(kind="batch_rating", task="company_rate_batch", customer=user.customer, user=user,
                               input={"companies": urls})  # fmt: skip
            (done,) = wait_jobs([str(job.pk)], timeout=companies * 60)
            elapsed = time.monotonic() - started
        finally:
            worker.stop()
    ratings = list(CompanyRating.objects.filter(job_id=job.pk).order_by("created_at"))
    stamps = [done.started_at, *(r.created_at for r in ratings)]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(stamps) if a and b]
    p50, p95 = percentiles(gaps) if len(gaps) > 1 else (0.0, 0.0)
    return {
        "status": done.status, "companies": companies, "rated_found": sum(r.evidence.get("status") == "found"
                                                                          for r in ratings),
        "rated_none": sum(r.evidence.get("status") == "none" for r in ratings),
        "lost": companies - len(ratings), "p50": p50, "p95": p95, "elapsed": elapsed,
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=150)
    parser.add_argument("--baseline-pages", type=int, default=40)
    parser.add_argument("--companies", type=int, default=50)
    parser.add_argument("--only", choices=["pages", "batch"], help="run one phase")
    args = parser.parse_args()
    user = setup()
    from tests.integrations.research.sites import test_site

    if args.only != "batch":
        with test_site() as site:
            rows = [pages_phase(user, site.url, pages=args.baseline_pages, pool=1),
                    pages_phase(user, site.url, pages=args.pages, pool=5)]  # fmt: skip
            killed = kill_phase(user, site.url)
        print_pages(rows, killed)
    if args.only != "pages":
        print_batch(batch_phase(user, args.companies))
    return 0


def print_pages(rows: list[dict[str, Any]], killed: dict[str, Any]) -> None:
    print("\nResearch pool: screenshot jobs (viewport PNG, stored) - shared 2-core machine, numbers are noisy")
    print(f"{'pool':>4} {'pages':>6} {'ok':>5} {'pages/min':>10} {'ratio':>6} {'peak MB/browser':>16} "
          f"{'peak MB total':>14} {'leaked procs':>13}")  # fmt: skip
    for row in rows:
        print(f"{row['pool']:>4} {row['pages']:>6} {row['ok']:>5} {row['per_min']:>10.1f} "
              f"{row['per_min'] / rows[0]['per_min']:>6.2f} {row['peak_browser_mb']:>16.0f} "
              f"{row['peak_total_mb']:>14.0f} {row['leaked']:>13}")  # fmt: skip
    print("\nkill -9 of a worker with 5 browsers mid-run")
    print(f"browser processes before: {killed['before']}, alive after a new worker started: {killed['after']}")


def print_batch(batch: dict[str, Any]) -> None:
    print(f"\nrate-batch with research: {batch['companies']} companies, job {batch['status']}")
    print(f"{'found':>6} {'none':>5} {'lost':>5} {'p50 s/company':>14} {'p95 s/company':>14} {'total s':>8}")
    print(f"{batch['rated_found']:>6} {batch['rated_none']:>5} {batch['lost']:>5} {batch['p50']:>14.2f} "
          f"{batch['p95']:>14.2f} {batch['elapsed']:>8.1f}")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
