"""Django's PostgreSQL backend whose pool checks a connection on checkout without a round trip.

Django passes psycopg_pool either no `check` or the full one (a round trip per checkout, with
CONN_HEALTH_CHECKS); this backend installs platform_core.resilience.PoolCheck instead, which
only talks to the server when the connection's socket shows it was terminated, or it sat idle long.
"""

from typing import Any

from django.db.backends.postgresql import base

from platform_core.resilience import PoolCheck


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> Any:
        pool = super().pool
        if pool is not None and not isinstance(pool._check, PoolCheck):
            pool._check = PoolCheck(pool)
        return pool
