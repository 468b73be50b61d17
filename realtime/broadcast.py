"""One Redis subscription per WebSocket process, fanned out in memory to every local socket.

A Channels group of N sockets costs N channel-layer messages (four Redis round trips each on
receipt); here a broadcast costs one PUBLISH, one receipt per process, and N frame writes of
the same, already serialised text.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Protocol

import redis.asyncio as aioredis
from django.conf import settings

logger = logging.getLogger(__name__)


class Socket(Protocol):
    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None: ...


class BroadcastHub:
    # Yield to the event loop between slices so pings and other sockets' traffic keep flowing.
    SLICE = 256

    def __init__(self) -> None:
        self.sockets: weakref.WeakSet[Socket] = weakref.WeakSet()
        self._listener: asyncio.Task[None] | None = None

    def register(self, socket: Socket) -> None:
        self.sockets.add(socket)
        if self._listener is None or self._listener.done():
            self._listener = asyncio.get_running_loop().create_task(self._listen())

    def unregister(self, socket: Socket) -> None:
        self.sockets.discard(socket)

    async def fan_out(self, text: str) -> None:
        for index, socket in enumerate(list(self.sockets), start=1):
            try:
                await socket.send(text_data=text)
            except Exception:  # a socket closing meanwhile must not stop the others
                logger.debug("broadcast to a closing socket failed", exc_info=True)
            if index % self.SLICE == 0:
                await asyncio.sleep(0)

    async def _listen(self) -> None:
        while True:
            # No read timeout: a quiet channel is normal; keepalive notices a dead Redis.
            client = aioredis.Redis.from_url(settings.CHANNELS_REDIS_URL, socket_timeout=None, socket_keepalive=True)
            try:
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(settings.REALTIME_BROADCAST_CHANNEL)
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            await self.fan_out(message["data"].decode())
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis restarted: resubscribe; broadcasts meanwhile are lost (they are hints)
                logger.warning("broadcast subscription lost; resubscribing", exc_info=True)
                await asyncio.sleep(1)
            finally:
                await client.aclose()


hub = BroadcastHub()
