"""The shared AI limiter under oversubscription: a fake OpenAI enforcing a tokens-per-minute limit,
real Celery workers running company-rating jobs offered at N times that limit.

Runs against the database and Redis of the environment, so start it through the stack script:

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/ai_limits.py
    ... bench/ai_limits.py --tpm 10000 --window 60 --oversubscription 5 --offer-seconds 60 --workers 2

Jobs are created at a constant rate for --offer-seconds so that the tokens they need add up to
`oversubscription x tpm` per window; then the bench waits for all of them. Reported:
- provider 429s: requests the fake refused because the limit was exceeded (goal 0);
- throughput vs limit: tokens the provider accepted per window, averaged over every full window
  from the first request to the last, divided by the limit (goal >= 90%);
- job latency p50/p95: created -> finished (it includes the queueing the limit imposes: at 5x a
  job offered late waits for the backlog ahead of it).
--no-shared-limit runs the same load with the gateway's limit lifted, to show what the provider
would see without it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentiles  # noqa: E402 - after the path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def window_utilization(accepted: list[tuple[float, int]], *, window: float, limit: int) -> float:
    """Mean of tokens accepted per full window (slid by 1 s from the first request) over the limit."""
    if not accepted:
        return 0.0
    start, end = accepted[0][0], accepted[-1][0]
    samples = []
    t = start
    while t + window <= end + 1e-9:
        samples.append(sum(tokens for at, tokens in accepted if t <= at < t + window))
        t += 1.0
    if not samples:  # the run was shorter than one window
        samples = [sum(tokens for _, tokens in accepted)]
    return statistics.mean(samples) / limit


def run(args: argparse.Namespace) -> dict[str, object]:
    from tests.fakes.ai_servers import FakeAnthropic, FakeOpenAI
    from tests.integrations.ai.ai_replies import rating

    openai = FakeOpenAI(tpm_limit=args.tpm, window_seconds=args.window).start()
    anthropic = FakeAnthropic().start()
    openai.reply = json.dumps(rating(padding=args.padding))
    gateway_limit = 10**9 if args.no_shared_limit else args.tpm
    os.environ.update(
        OPENAI_API_KEY=openai.api_key, OPENAI_BASE_URL=f"{openai.url}/v1", ANTHROPIC_API_KEY="",
        AI_MODEL_CHAINS=json.dumps({"default": ["openai:gpt-4o-mini"]}), AI_TOKENS_PER_MINUTE=str(gateway_limit),
        AI_RATE_WINDOW_SECONDS=str(args.window), AI_LIMIT_MAX_WAIT_SECONDS=str(args.window * 3),
        AI_ATTEMPTS_PER_MODEL="3", AI_RETRY_BASE_SECONDS="0.5", AI_REQUESTS_PER_MINUTE="100000",
        AI_TIER_QUOTAS=json.dumps({"anonymous": [3, 86400], "free": [5, 86400], "trial": [15, 86400],
                                   "paid": [100000, 3600]}),
    )  # fmt: skip

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from integrations.ai.redis_store import KEY_PREFIX, ai_redis
    from platform_core.models import Customer, Job, User
    from tests.support.worker import CeleryWorker

    client = ai_redis()
    stale = list(client.scan_iter(f"{KEY_PREFIX}*"))
    if stale:
        client.delete(*stale)
    customer, _ = Customer.objects.get_or_create(slug="ai-bench", defaults={"name": "AI bench", "tier": "paid"})
    user, _ = User.objects.get_or_create(email="ai-bench@example.com", defaults={"customer": customer})

    # Size the job count from one measured call: tokens per job as the provider counts them.
    from assessments.services.ai_content import ai_job_start

    workers = [
        CeleryWorker(queues="ai", concurrency=args.concurrency, env=dict(os.environ)).start()
        for _ in range(args.workers)
    ]
    try:
        probe = ai_job_start(kind="company_rating", task="company_rate", customer=customer, user=user,
                             input={"company_url": "https://probe.example"})  # fmt: skip
        while Job.objects.get(pk=probe.pk).status not in ("succeeded", "failed"):
            time.sleep(0.05)
        tokens_per_job = openai.accepted_tokens()[-1][1]
        offered_tokens = args.oversubscription * args.tpm * args.offer_seconds / args.window
        jobs = max(1, round(offered_tokens / tokens_per_job))
        openai.reset_counters()
        time.sleep(args.window + 1)  # the probe leaves both windows

        interval = args.offer_seconds / jobs
        started = time.monotonic()
        ids = []
        for i in range(jobs):
            job = ai_job_start(kind="company_rating", task="company_rate", customer=customer, user=user,
                               input={"company_url": f"https://company-{i}.example"})  # fmt: skip
            ids.append(job.pk)
            time.sleep(max(0.0, started + (i + 1) * interval - time.monotonic()))
        while Job.objects.filter(pk__in=ids, status__in=["queued", "running"]).exists():
            time.sleep(0.5)
        elapsed = time.monotonic() - started
    finally:
        for worker in workers:
            worker.stop()
        openai.stop()
        anthropic.stop()

    done = list(Job.objects.filter(pk__in=ids))
    latencies = [(j.finished_at - j.created_at).total_seconds() for j in done if j.finished_at]
    p50, p95 = percentiles(latencies)
    accepted = openai.accepted_tokens()
    return {
        "mode": "no shared limit" if args.no_shared_limit else "shared limit",
        "jobs": jobs,
        "tokens_per_job": tokens_per_job,
        "succeeded": sum(j.status == "succeeded" for j in done),
        "failed": sum(j.status == "failed" for j in done),
        "provider_429s": openai.over_limit,
        "peak_window_tokens": openai.peak_window_tokens,
        "utilization": window_utilization(accepted, window=args.window, limit=args.tpm),
        "accepted_tokens": sum(tokens for _, tokens in accepted),
        "p50": p50,
        "p95": p95,
        "elapsed": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tpm", type=int, default=10_000, help="the provider's token limit per window")
    parser.add_argument("--window", type=float, default=60.0, help="the limit's window in seconds")
    parser.add_argument("--oversubscription", type=float, default=5.0)
    parser.add_argument("--offer-seconds", type=float, default=60.0, help="how long jobs keep arriving")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--concurrency", type=int, default=2, help="pool processes per worker")
    parser.add_argument("--padding", type=int, default=150, help="size of each answer (output tokens)")
    parser.add_argument("--no-shared-limit", action="store_true", help="lift the gateway's limit (contrast)")
    args = parser.parse_args()

    r = run(args)
    print(
        f"\nAI shared limiter: fake OpenAI at {args.tpm:,} tokens per {args.window:g} s, {args.oversubscription:g}x "
        f"offered for {args.offer_seconds:g} s, {args.workers} workers x {args.concurrency}, mode: {r['mode']}"
    )
    rows = [
        ("jobs (tokens each)", f"{r['jobs']} ({r['tokens_per_job']})", ""),
        ("jobs succeeded / failed", f"{r['succeeded']} / {r['failed']}", "all succeed"),
        ("provider 429s (over the limit)", f"{r['provider_429s']}", "0"),
        ("peak tokens in one provider window", f"{r['peak_window_tokens']:,}", f"<= {args.tpm:,}"),
        ("throughput vs limit (mean full window)", f"{r['utilization']:.1%}", ">= 90%"),
        ("job latency p50 / p95 (s)", f"{r['p50']:.1f} / {r['p95']:.1f}", "queueing at 5x"),
        ("wall time (s)", f"{r['elapsed']:.0f}", ""),
    ]
    print(f"{'metric':<42} {'value':>16}  goal")
    for name, value, goal in rows:
        print(f"{name:<42} {value:>16}  {goal}")


if __name__ == "__main__":
    main()
