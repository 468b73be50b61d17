"""Django's PostgreSQL backend whose pool checks a connection on checkout without a round trip,
and whose checkout gives up within a second when the server is down.

Django passes psycopg_pool either no `check` or the full one (a round trip per checkout, with
CONN_HEALTH_CHECKS); this backend installs platform_core.resilience.PoolCheck instead, which
only talks to the server when the connection's socket shows it was terminated, or it sat idle long.

psycopg_pool retries a failed connection after 1, 2, 4, 8 ... s: a server back after a 10 s outage would
wait up to 8 s for the pool's next attempt, every checkout meanwhile timing out. The backoff factor is set
to 1 here (its class constant; the pool has no option for it): an attempt about every second (+-10% jitter)
until the pool's reconnect_timeout, so the pool reconnects within a second of the server's return.
"""

from functools import partial
from typing import Any

from django.db.backends.postgresql import base
from psycopg_pool.base import AttemptWithBackoff

from platform_core.resilience import PoolCheck, pool_getconn_failing_fast

AttemptWithBackoff.DELAY_BACKOFF = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> Any:
        pool = super().pool
        if pool is not None and not isinstance(pool._check, PoolCheck):
            pool._check = PoolCheck(pool)
            pool.getconn = partial(pool_getconn_failing_fast, pool)
        return pool
