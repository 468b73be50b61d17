"""Django's PostgreSQL backend whose pool checks a connection on checkout without a round trip,
and whose checkout gives up within a second when the server is down.

Django passes psycopg_pool either no `check` or the full one (a round trip per checkout, with
CONN_HEALTH_CHECKS); this backend installs platform_core.resilience.PoolCheck instead, which
only talks to the server when the connection's socket shows it was terminated, or it sat idle long.
"""

from functools import partial
from typing import Any

from django.db.backends.postgresql import base

from platform_core.resilience import PoolCheck, pool_getconn_failing_fast


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> Any:
        pool = super().pool
        if pool is not None and not isinstance(pool._check, PoolCheck):
            pool._check = PoolCheck(pool)
            pool.getconn = partial(pool_getconn_failing_fast, pool)
        return pool
