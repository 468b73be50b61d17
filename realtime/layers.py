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
        # No read timeout. redis-py 8 defaults to 5 s, as long as the layer's BZPOPMIN blocks: under
        # load the read timed out first and consumers died (close 1011). And on Python 3.11 a read
        # under a timeout swallowed the cancel of a closing consumer's receive, which then looped
        # forever (uvicorn's shutdown waited for it). Redis bounds BZPOPMIN itself; keepalive and a
        # connect timeout notice a dead server.
        host.setdefault("socket_timeout", None)
        host.setdefault("socket_connect_timeout", 5)
        host.setdefault("socket_keepalive", True)
        return BlockingConnectionPool.from_url(
            host.pop("address"), max_connections=settings.CHANNELS_REDIS_POOL_SIZE, timeout=10, **host
        )
