"""Run N threads of read-write ORM transactions against DATABASE_URL (a PgBouncer) and print JSON.

Started by tests/platform_core/test_pgbouncer.py in a fresh process, so Django is configured only
by the environment, as in production: DB_PGBOUNCER=true, DATABASE_URL pointing at PgBouncer.
"""

import json
import os
import sys
import threading
import traceback

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from platform_core.models import Customer  # noqa: E402


def main(threads: int, per_thread: int, tag: str) -> None:
    errors: list[str] = []
    barrier = threading.Barrier(threads)

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    customer = Customer.objects.create(name=f"{tag}{n}-{i}", slug=f"{tag.lower()}{n}-{i}")
                    Customer.objects.filter(pk=customer.pk).update(tier="paid")
                    if Customer.objects.get(pk=customer.pk).tier != "paid":
                        raise AssertionError("read after write inside the transaction failed")
            # iterator() uses a server-side cursor unless PgBouncer mode turns them off.
            seen = sum(1 for _ in Customer.objects.filter(name__startswith=f"{tag}{n}-").iterator(chunk_size=2))
            if seen != per_thread:
                raise AssertionError(f"thread {n} saw {seen} rows")
        except Exception:
            errors.append(traceback.format_exc(limit=3))
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    db = settings.DATABASES["default"]
    print(
        json.dumps(
            {
                "errors": errors,
                "rows": Customer.objects.filter(name__startswith=tag, tier="paid").count(),
                "pool": "pool" in db["OPTIONS"],
                "serverSideCursorsDisabled": db.get("DISABLE_SERVER_SIDE_CURSORS", False),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
