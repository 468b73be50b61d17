"""50 threads doing read-write transactions through a real PgBouncer in transaction mode."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from platform_core.models import Customer
from tests.support.servers import pgbouncer

THREADS = 50
TRANSACTIONS_PER_THREAD = 10


@pytest.mark.django_db(transaction=True)
def test_fifty_threads_of_read_write_transactions_through_pgbouncer():
    db = connection.settings_dict
    # A pool smaller than the thread count: PgBouncer must queue clients, not fail them.
    with pgbouncer(host=db["HOST"], port=int(db["PORT"]), dbname=db["NAME"], pool_size=20) as port:
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/{db['NAME']}",
            "DB_PGBOUNCER": "true",
        }
        env.pop("DATABASE_REPLICA_URL", None)
        result = subprocess.run(
            [sys.executable, "tests/support/pgbouncer_load.py", str(THREADS), str(TRANSACTIONS_PER_THREAD), "Bnc"],
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert report["rows"] == THREADS * TRANSACTIONS_PER_THREAD
    assert report == {**report, "pool": False, "serverSideCursorsDisabled": True}
    # The rows are really in PostgreSQL, seen directly rather than through PgBouncer.
    assert Customer.objects.filter(name__startswith="Bnc", tier="paid").count() == THREADS * TRANSACTIONS_PER_THREAD
