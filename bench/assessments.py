"""Assessments speed: formulas per call, cached vs uncached reads, full-text search at scale.

Runs against the database and Redis of the environment, so start it through the stack script:

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/assessments.py
    ... bench/assessments.py --iterations 300 --products 5000 --customers 200

Phases (one table each):
1. Formulas: scoring, cost of inaction, business case — microseconds per call, in this process.
2. Reads through the full Django/DRF stack in this process (test client, real PostgreSQL and Redis):
   GET /progress and GET /assessments/{id}/results with the cache cleared before every request
   (cold) and with the cache warm.
3. Search: `--customers` customers with 20 products each plus one customer with `--products`
   products; GET /search?q= for a rare and a common term, and the plan PostgreSQL chose.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.common import table, timed  # noqa: E402 - after the path


def phase_formulas(iterations: int) -> None:
    from decimal import Decimal

    from assessments import formulas

    responses = {qid: 1 + i % 4 for i, qid in enumerate(formulas.QUESTION_IDS)}
    inputs = {"potential_deals": 100, "average_deal_size": 50_000, "conversion_rate": "0.2", "delay_months": 6,
              "current_operating_cost": 1_000_000, "inefficiency_rate": "0.1", "employee_count": 20,
              "average_salary": 100_000, "market_share": "0.05"}  # fmt: skip
    cases = {
        "assessment_scores": lambda: formulas.assessment_scores(responses),
        "cost_of_inaction": lambda: formulas.cost_of_inaction(inputs, "realistic"),
        "business_case (full)": lambda: formulas.business_case(
            case_type="full_implementation", budget=Decimal(250_000), timeline_months=12, industry="finance",
            company_size="enterprise", customer_name="Bench", success_metrics=["Win rate"], current_challenges=[],
        ),
    }  # fmt: skip
    rows = []
    for name, fn in cases.items():
        p50, p95 = timed(fn, iterations * 10)
        rows.append((name, f"{p50 * 1000:.1f}", f"{p95 * 1000:.1f}"))
    table("1. Formulas (µs per call)", ("formula", "p50 µs", "p95 µs"), rows)


def setup(products: int, customers: int) -> tuple[Any, str]:
    from django.core.management import call_command

    from assessments.formulas import QUESTION_IDS
    from assessments.models import ProductDetails
    from assessments.services.progress import progress_track
    from assessments.services.sessions import assessment_calculate, assessment_submit
    from platform_core.models import Customer, User

    call_command("migrate", verbosity=0)
    run = uuid.uuid4().hex[:8]
    words = ["pipeline", "revenue", "analytics", "quota", "territory", "renewal", "pricing", "onboarding"]

    def product(customer: Any, n: int, name: str | None = None) -> ProductDetails:
        return ProductDetails(
            customer=customer, product_name=name or f"{words[n % 8].title()} suite {n}",
            product_description=f"Helps B2B teams with {words[n % 8]} and {words[(n + 3) % 8]} work, item {n}",
            distinguishing_feature=f"{words[(n + 5) % 8]} insights", business_model="b2b-subscription",
        )  # fmt: skip

    others = Customer.objects.bulk_create(
        Customer(name=f"Bench {run} {i}", slug=f"bench-{run}-{i}") for i in range(customers)
    )
    ProductDetails.objects.bulk_create(product(c, n) for c in others for n in range(20))
    customer = Customer.objects.create(name=f"Bench {run}", slug=f"bench-{run}")
    user = User.objects.create_user(f"bench-{run}@example.com", uuid.uuid4().hex, customer=customer, role="owner")
    ProductDetails.objects.bulk_create(product(customer, n) for n in range(products))
    ProductDetails.objects.bulk_create([product(customer, products, name="Forecasting copilot")])
    for action in ("profile_completed", "cost_calculated", "business_case_generated"):
        progress_track(customer=customer, user=user, action=action)
    session_id = f"assess_{int(time.time() * 1000)}_bench{run}"
    assessment_submit(
        session_id=session_id, responses={qid: 3 for qid in QUESTION_IDS},
        user_info={"email": user.email, "company": customer.name},
    )  # fmt: skip
    assessment_calculate(session_id=session_id)
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum does in production: statistics + GIN pending list
        cursor.execute(f"VACUUM ANALYZE {ProductDetails._meta.db_table}")
    return user, session_id


def phase_reads(user: Any, session_id: str, iterations: int) -> None:
    from django.core.cache import cache
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST="localhost")
    client.force_authenticate(user)
    rows = []
    for label, url in (("GET /progress", "/api/v1/progress"),
                       ("GET /assessments/{id}/results", f"/api/v1/assessments/{session_id}/results")):  # fmt: skip
        assert client.get(url).status_code == 200

        def cold(url: str = url) -> None:
            cache.clear()
            client.get(url)

        cold_p50, cold_p95 = timed(cold, iterations)
        warm_p50, warm_p95 = timed(lambda url=url: client.get(url), iterations)  # type: ignore[misc]
        rows.append((label, f"{cold_p50:.2f}", f"{cold_p95:.2f}", f"{warm_p50:.2f}", f"{warm_p95:.2f}"))
    table("2. Reads, full stack in process (ms)", ("request", "cold p50", "cold p95", "cached p50", "cached p95"), rows)


def phase_search(user: Any, iterations: int, products: int, customers: int) -> None:
    from rest_framework.test import APIClient

    from assessments.models import ProductDetails
    from assessments.selectors import artifact_search_queryset, search_query

    client = APIClient(HTTP_HOST="localhost")
    client.force_authenticate(user)
    rows = []
    for term in ("forecasting", "pipeline"):
        hits = len(client.get("/api/v1/search", {"q": term}).json()["results"])
        p50, p95 = timed(lambda term=term: client.get("/api/v1/search", {"q": term}), iterations)  # type: ignore[misc]
        matches = artifact_search_queryset(model=ProductDetails, customer=user.customer, query=search_query(term))
        plan = matches.explain()
        scans = [line.strip().lstrip("-> ").split("  (")[0] for line in plan.splitlines() if "Scan" in line]
        rows.append((term, hits, f"{p50:.2f}", f"{p95:.2f}", scans[-1]))
    title = f"3. Search: {products + 1} products of the caller, {customers * 20} of {customers} other customers (ms)"
    table(title, ("term", "hits", "p50", "p95", "index the plan reads"), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--customers", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    phase_formulas(args.iterations)
    user, session_id = setup(args.products, args.customers)
    phase_reads(user, session_id, args.iterations)
    phase_search(user, args.iterations, args.products, args.customers)


if __name__ == "__main__":
    main()
