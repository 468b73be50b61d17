"""Writes go to `default`; reads marked for analytics go to `replica` when it is up and current.

`replica` is a streaming-replication standby of the primary (scripts/stack.py --replica starts
one). `analytics_db()` checks it at most every REPLICA_CHECK_INTERVAL_S per process, on a
connection of its own with a 1 s connect timeout (the alias's pool would wait its whole timeout
for a server that is down), and answers `default` while it is down or replays more than
REPLICA_MAX_LAG_S behind. A reader whose query fails on the replica calls `replica_mark_down()`
and reads the primary.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import psycopg
from django.conf import settings
from django.db import models

logger = logging.getLogger(__name__)

REPLICA = "replica"

# On a standby: 0 while it has replayed all it received, else seconds since the last replayed commit.
LAG_SQL = """
SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0
            WHEN pg_last_wal_receive_lsn() IS NULL THEN 1e9
            WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 1e9) END
"""

_state_lock = threading.Lock()
_state: dict[str, Any] = {"checked": 0.0, "usable": False, "lag": None}


def _replica_lag() -> float | None:
    """Seconds the standby is behind, or None when it cannot be reached."""
    from django.db import connections

    db = connections[REPLICA].settings_dict  # in tests: the standby's copy of the test database
    try:
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"] or 5432, dbname=db["NAME"], user=db["USER"],
            password=db.get("PASSWORD") or None, connect_timeout=1, prepare_threshold=None,
        ) as conn:  # fmt: skip
            row = conn.execute(LAG_SQL).fetchone()
            return float(row[0]) if row else None
    except psycopg.Error:
        return None


def replica_status(*, refresh: bool = False) -> dict[str, Any]:
    """{"usable", "lag"} of the replica as last checked (checked again when older than the interval)."""
    with _state_lock:
        if refresh or time.monotonic() - _state["checked"] >= settings.REPLICA_CHECK_INTERVAL_S:
            lag = _replica_lag()
            _state.update(
                checked=time.monotonic(), lag=lag, usable=lag is not None and lag <= settings.REPLICA_MAX_LAG_S
            )
            if not _state["usable"]:
                logger.warning("analytics replica not used (lag %s s): reading the primary", lag)
        return {"usable": _state["usable"], "lag": _state["lag"]}


def replica_mark_down() -> None:
    with _state_lock:
        _state.update(checked=time.monotonic(), usable=False, lag=None)


def analytics_db() -> str:
    """The alias analytics selectors read from: the replica when configured, up and current, else the primary."""
    if REPLICA not in settings.DATABASES:
        return "default"
    return REPLICA if replica_status()["usable"] else "default"


class PrimaryReplicaRouter:
    def db_for_read(self, model: type[models.Model], **hints: Any) -> str:
        # Ordinary reads stay on the primary (read-your-writes); analytics opt in with .using(analytics_db()).
        return "default"

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        # Only the primary is migrated: the standby receives the schema through replication.
        return db == "default"
