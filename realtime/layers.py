"""The Redis channel layer with a bounded, waiting connection pool.

redis-py's default pool raises "Too many connections" past 100 connections, which 1,000+
sockets joining groups at once reach (reference/perf-baseline.md); a blocking pool of
CHANNELS_REDIS_POOL_SIZE makes the excess wait for a connection instead.
"""

from typing import Any

from channels_redis.core import RedisChannelLayer
from django.conf import settings
from redis.asyncio import BlockingConnectionPool


class PooledRedisChannelLayer(RedisChannelLayer):
    def create_pool(self, index: int) -> Any:
        host = dict(self.hosts[index])
        return BlockingConnectionPool.from_url(
            host.pop("address"), max_connections=settings.CHANNELS_REDIS_POOL_SIZE, timeout=10, **host
        )
