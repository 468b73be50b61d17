"""schemathesis over the whole API, heavier than the test: many generated requests per operation.

The same run as tests/platform_core/test_schema_conformance.py (tests/support/schema_fuzz.py: a real
gunicorn, a signed-in owner, checks not_a_server_error, status_code_conformance and
response_schema_conformance), with `--examples` cases per operation and generation mode. Prints one row per
operation (cases, distinct failures, seconds, statuses seen), then each failure with its curl command.
Exits 1 when anything failed.

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/schema_fuzz.py
    ... bench/schema_fuzz.py --examples 100 --only /assessments/
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ENV", "test")  # the server's settings as in tests (loopback research targets)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=50, help="generated requests per operation and mode")
    parser.add_argument("--only", default="", help="only operations whose 'METHOD /path' contains this")
    parser.add_argument("--web-workers", default="2")
    args = parser.parse_args()

    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.core.management import call_command

    from platform_core.models import Customer, User
    from platform_core.services.api_keys import api_key_create
    from platform_core.services.sessions import session_create
    from tests.support.schema_fuzz import FUZZ_BROKER_DB, BearerToken, failures_text, fuzz_server_env, report_table
    from tests.support.schema_fuzz import schema_fuzz as fuzz
    from tests.support.web import WebServer

    call_command("migrate", verbosity=0)
    customer, _ = Customer.objects.get_or_create(slug="bench-schema", defaults={"name": "Bench schema"})
    owner = User.objects.filter(email="bench-schema@example.com").first() or User.objects.create_user(
        email="bench-schema@example.com", password=None, customer=customer, role=User.Role.OWNER
    )
    api_key_create(actor=owner, name="no expiry", scopes=["read"])
    broker = redis.Redis.from_url(f"{settings.REDIS_URL}/{FUZZ_BROKER_DB}")
    broker.flushdb()
    server = WebServer(WEB_WORKERS=args.web_workers, WEB_THREADS="4", **fuzz_server_env(settings.REDIS_URL)).start()
    started = time.monotonic()
    try:
        auth = BearerToken(lambda: session_create(user=owner).access)
        reports = fuzz(
            base_url=server.url, auth=auth, max_examples=args.examples, only=lambda label: args.only in label
        )
    finally:
        server.stop()
        broker.flushdb()
    print(report_table(reports))
    print(f"\n{time.monotonic() - started:.0f} s, {auth.renewals} session(s) renewed after the fuzzer ended one")
    failed = [report for report in reports if report.failures]
    if failed:
        print("\n" + failures_text(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
