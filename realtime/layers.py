"""The Redis channel layer with a bounded, waiting connection pool that survives lost connections.

redis-py's default pool raises "Too many connections" past 100 connections, which 1,000+
sockets joining groups at once reach (reference/perf-baseline.md); a blocking pool of
CHANNELS_REDIS_POOL_SIZE makes the excess wait for a connection instead.

Lost connections (a Redis restart, `CLIENT KILL`, a failover): every command is sent again once on
a fresh connection when its connection was dropped. When Redis stays away longer, the process's
receive loop does not die with it: it waits for Redis, then re-joins every group its sockets are in
(a restarted Redis may have lost them) and receives again, so events flow without a process restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any

from channels_redis.core import RedisChannelLayer
from django.conf import settings
from redis.asyncio import BlockingConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

LOST = (RedisConnectionError, RedisTimeoutError, OSError)


class PooledRedisChannelLayer(RedisChannelLayer):
    reconnect_delay = 0.5  # seconds between attempts while Redis is away

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # group -> channels of this process in it: what to re-join after Redis comes back.
        self.local_groups: defaultdict[str, set[str]] = defaultdict(set)

    def create_pool(self, index: int) -> Any:
        host = dict(self.hosts[index])
        # No read timeout. redis-py 8 defaults to 5 s, as long as the layer's BZPOPMIN blocks: under
        # load the read timed out first and consumers died (close 1011). And on Python 3.11 a read
        # under a timeout swallowed the cancel of a closing consumer's receive, which then looped
        # forever (uvicorn's shutdown waited for it). Redis bounds BZPOPMIN itself; keepalive and a
        # connect timeout notice a dead server.
        host.setdefault("socket_timeout", None)
        host.setdefault("socket_connect_timeout", 2)
        host.setdefault("socket_keepalive", True)
        # A dropped connection: reconnect and send the command again, once (BZPOPMIN, ZADD, RPUSH are
        # safe to resend: the message was not taken or is idempotent in a sorted set).
        host.setdefault("retry", Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)))
        return BlockingConnectionPool.from_url(
            host.pop("address"), max_connections=settings.CHANNELS_REDIS_POOL_SIZE, timeout=10, **host
        )

    async def group_add(self, group: str, channel: str) -> None:
        self.local_groups[group].add(channel)
        await super().group_add(group, channel)

    async def group_discard(self, group: str, channel: str) -> None:
        members = self.local_groups.get(group)
        if members is not None:
            members.discard(channel)
            if not members:
                del self.local_groups[group]
        await super().group_discard(group, channel)

    async def receive(self, channel: str) -> Any:
        while True:
            try:
                return await super().receive(channel)
            except LOST:
                logger.warning("channel layer lost Redis; reconnecting", exc_info=True)
                await self._wait_and_rejoin()

    async def _wait_and_rejoin(self) -> None:
        while True:
            await asyncio.sleep(self.reconnect_delay)
            try:
                await self.rejoin_groups()
                return
            except LOST:
                continue

    async def rejoin_groups(self) -> None:
        """Add this process's channels to their groups again (idempotent: a sorted set)."""
        for group, channels in list(self.local_groups.items()):
            for channel in list(channels):
                await super().group_add(group, channel)
