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
        # redis-py 8 reads with a 5 s socket timeout, as long as the layer's BZPOPMIN blocks: under
        # load the read timed out first and the consumer died (close 1011). Read a while longer.
        host.setdefault("socket_timeout", self.brpop_timeout + 10)
        return BlockingConnectionPool.from_url(
            host.pop("address"), max_connections=settings.CHANNELS_REDIS_POOL_SIZE, timeout=10, **host
        )
