"""The streaming standby that make test starts (scripts/stack.py --replica): wait for it, stop it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connections, transaction

from config.db_router import replica_status
from scripts.stack import standby_start, standby_stop
from tests.support.worker import wait_for


def replica_database_url() -> str:
    """The standby's copy of the test database, for a platform process started by a test (platform_env
    leaves the replica out)."""
    db = connections["replica"].settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def wait_replicated(timeout: float = 30) -> None:
    """Until the standby has replayed everything the primary has committed so far.

    The test servers commit with synchronous_commit=off, so the last commits may still sit in the WAL buffers,
    past pg_current_wal_lsn() (the write position), for up to wal_writer_delay: one synchronous commit of our
    own flushes the WAL up to it first (the standby is streamed only what was flushed). It must write WAL, or its
    commit is asynchronous all the same: a logical message is the smallest record that needs no table.
    """
    with transaction.atomic(using="default"), connections["default"].cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = on")
        cursor.execute("SELECT pg_logical_emit_message(true, 'tests.wait_replicated', '')")
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
