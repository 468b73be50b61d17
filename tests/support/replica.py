"""The streaming standby that make test starts (scripts/stack.py --replica): wait for it, stop it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connections

from config.db_router import replica_status
from scripts.stack import standby_start, standby_stop
from tests.support.worker import wait_for


def wait_replicated(timeout: float = 30) -> None:
    """Until the standby has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]

    def replayed() -> bool:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            return bool(cursor.fetchone()[0])

    wait_for(replayed, timeout=timeout, what="the standby to replay the primary's writes")


@contextmanager
def standby_stopped() -> Iterator[None]:
    """The standby is shut down inside the block and back (and current) after it."""
    pgdata = Path(os.environ["DATABASE_REPLICA_PGDATA"])
    connections["replica"].close()
    standby_stop(pgdata)
    try:
        yield
    finally:
        standby_start(pgdata)
        connections["replica"].close()
        wait_for(lambda: replica_status(refresh=True)["usable"], timeout=60, what="the standby to be back")
