"""What the security hardening costs (or saves) per request, each against a baseline in the same run.

Runs against the database and Redis of the environment, so start it through the stack script:

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/security.py
    ... bench/security.py --iterations 300

Phases (one table each; the machine is usually shared, so read the ratios, not the absolutes):
1. Password hashing: Django's Argon2 defaults (100 MiB, t=2, p=8) vs the OWASP parameters of
   platform_core.hashers (19 MiB, t=2, p=1): one hash, what every sign-in costs a web worker.
2. JSON parsing: djangorestframework-camel-case's parser vs platform_core.parsers (the same plus
   depth/size caps) on a typical body and on a 1,000-company batch.
3. Progress on the cost calculation: the service as it is now (a repeat writes nothing) vs the
   calculation followed by the old progress_track (row lock, read, insert, invalidate every call).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.common import table, timed  # noqa: E402 - after the path


def compare(title: str, unit: str, scale: float, cases: Mapping[str, Callable[..., Any]], iterations: int) -> None:
    rows, baseline = [], None
    for name, fn in cases.items():
        fn()  # warm up
        p50, p95 = timed(fn, iterations)
        baseline = baseline or p50
        rows.append((name, f"{p50 * scale:.1f}", f"{p95 * scale:.1f}", f"{p50 / baseline:.2f}"))
    table(title, ("case", f"p50 {unit}", f"p95 {unit}", "x baseline"), rows)


def phase_hashing(iterations: int) -> None:
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from platform_core.hashers import OwaspArgon2PasswordHasher

    old, new = Argon2PasswordHasher(), OwaspArgon2PasswordHasher()
    cases = {
        "Django Argon2 defaults (baseline)": lambda: old.encode("correct-horse-battery", old.salt()),
        "OWASP argon2id (platform_core.hashers)": lambda: new.encode("correct-horse-battery", new.salt()),
    }
    compare("1. Password hashing (ms per hash)", "ms", 1, cases, max(5, iterations // 20))


def phase_parsing(iterations: int) -> None:
    from djangorestframework_camel_case.parser import CamelCaseJSONParser

    from platform_core.parsers import PlatformJSONParser

    typical = json.dumps({"productName": "Robo", "productDescription": "x" * 800, "keyFeatures": ["a"] * 10}).encode()
    batch = json.dumps(
        {"companies": [{"name": f"Co {i}", "domain": f"co{i}.example", "employees": i} for i in range(1000)]}
    ).encode()
    for label, body in (("typical 1 kB body", typical), ("1,000-company batch", batch)):
        old, new = CamelCaseJSONParser(), PlatformJSONParser()
        cases = {
            f"{label}: camel-case parser (baseline)": lambda old=old, body=body: old.parse(io.BytesIO(body)),
            f"{label}: platform parser": lambda new=new, body=body: new.parse(io.BytesIO(body)),
        }
        compare(f"2. JSON parsing, {label} (µs per body)", "µs", 1000, cases, iterations * 5)


def phase_progress(iterations: int) -> None:
    from django.core.management import call_command

    from assessments import cache as assessment_cache
    from assessments import formulas
    from assessments.models import MilestoneCompletion, ProgressAction
    from assessments.services.costs import cost_calculate
    from platform_core.models import Customer, User

    call_command("migrate", verbosity=0)
    run = uuid.uuid4().hex[:8]
    customer = Customer.objects.create(name=f"Bench {run}", slug=f"bench-{run}")
    user = User.objects.create_user(f"bench-{run}@example.com", uuid.uuid4().hex, customer=customer, role="owner")
    inputs = {name: low for name, (low, _high) in formulas.COST_INPUT_RANGES.items()}

    def old_progress_track() -> None:
        """What progress_track did on every call before: lock, read, insert, invalidate."""
        from django.db import transaction

        with transaction.atomic():
            Customer.objects.select_for_update().filter(pk=customer.pk).first()
            done = set(MilestoneCompletion.objects.filter(customer=customer).values_list("milestone", flat=True))
            triggered = formulas.milestones_triggered(action="cost_calculated", completed=done)
            entry = ProgressAction.objects.create(customer=customer, user=user, action="cost_calculated",
                                                  metadata={}, milestones_triggered=triggered)  # fmt: skip
            MilestoneCompletion.objects.bulk_create(
                [MilestoneCompletion(customer=customer, milestone=m, trigger="cost_calculated",
                                     completed_at=entry.created_at) for m in triggered],
                ignore_conflicts=True,
            )  # fmt: skip
            assessment_cache.invalidate(assessment_cache.progress_key(customer.pk))

    def old() -> None:
        formulas.cost_of_inaction(inputs, "realistic")
        old_progress_track()

    def new() -> None:
        cost_calculate(customer=customer, user=user, inputs=inputs, scenario="realistic")

    before = ProgressAction.objects.filter(customer=customer).count()
    compare(
        "3. Cost calculation with progress (ms per calculation)", "ms", 1,
        {"calculate + old progress_track (baseline)": old, "cost_calculate now": new}, iterations,
    )  # fmt: skip
    old_rows = iterations + 1
    new_rows = ProgressAction.objects.filter(customer=customer).count() - before - old_rows
    print(f"   rows written: old {old_rows} (one per calculation), now {new_rows}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args()
    import django

    django.setup()
    print("Machine shared with other work: compare the x-baseline column, measured in this run.")
    phase_hashing(args.iterations)
    phase_parsing(args.iterations)
    phase_progress(args.iterations)


if __name__ == "__main__":
    main()
