"""Airtable's limits shared by every process: 5 requests/s per base and 50/s per token, and a 429
pausing the base for everyone. One Lua script per request, on Redis' own clock.

Each granted request is a member of a sorted set per base and per token, scored by the time it
stops counting. While it is in flight its score is far ahead (grant + timeout); when its answer
arrives it is re-scored to answer time + 1 s. Airtable counts a request when it arrives, which is
after our grant and before our answer, so any 5 requests Airtable sees within one second were all
counted together here: the limit holds however slow the network or how many workers run.
"""

from __future__ import annotations

import functools
import random
import time
import uuid
from dataclasses import dataclass

import redis
from django.conf import settings

KEY_PREFIX = "airtable:"
WINDOW_SECONDS = 1.0
IN_FLIGHT_POLL_SECONDS = 0.02

ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local pause = redis.call('PTTL', KEYS[3])
if pause > 0 then return {0, tostring(pause / 1000), 'paused'} end
local window = tonumber(ARGV[3])
local waits = {}
for i = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  local limit = tonumber(ARGV[i])
  local n = redis.call('ZCARD', KEYS[i])
  if n >= limit then
    local freeing = redis.call('ZRANGE', KEYS[i], n - limit, n - limit, 'WITHSCORES')
    local free_at = tonumber(freeing[2])
    if free_at > now + window then waits[i] = -1 else waits[i] = free_at - now end
  end
end
if waits[1] == nil and waits[2] == nil then
  local until_ = now + tonumber(ARGV[4])
  for i = 1, 2 do
    redis.call('ZADD', KEYS[i], until_, ARGV[5])
    redis.call('PEXPIRE', KEYS[i], math.ceil((tonumber(ARGV[4]) + window) * 1000))
  end
  return {1, '0', 'granted'}
end
local wait = 0
for i = 1, 2 do
  if waits[i] ~= nil then
    if waits[i] < 0 then return {0, '-1', 'in_flight'} end
    if waits[i] > wait then wait = waits[i] end
  end
end
return {0, tostring(wait), 'full'}
"""

# The answer arrived: the request counts for one more window from now (only if still counted).
RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], 'XX', now + tonumber(ARGV[1]), ARGV[2])
end
return 1
"""


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30)


def airtable_redis() -> redis.Redis:
    return _client(settings.AIRTABLE_REDIS_URL)


def _keys(base_id: str, token_fp: str) -> list[str]:
    return [f"{KEY_PREFIX}rate:base:{base_id}", f"{KEY_PREFIX}rate:token:{token_fp}", pause_key(base_id)]


def pause_key(base_id: str) -> str:
    return f"{KEY_PREFIX}pause:{base_id}"


@dataclass(frozen=True)
class Slot:
    keys: tuple[str, str]
    member: str


def acquire(*, base_id: str, token_fp: str) -> Slot:
    """Wait for room under both limits (and the end of any pause of the base), then take it."""
    keys = _keys(base_id, token_fp)
    member = uuid.uuid4().hex
    in_flight = settings.AIRTABLE_REQUEST_TIMEOUT_SECONDS + 10
    client = airtable_redis()
    while True:
        granted, wait, _state = client.eval(
            ACQUIRE,
            3,
            *keys,
            settings.AIRTABLE_BASE_RPS,
            settings.AIRTABLE_TOKEN_RPS,
            WINDOW_SECONDS,
            in_flight,
            member,
        )
        if int(granted):
            return Slot(keys=(keys[0], keys[1]), member=member)
        seconds = float(wait)
        # A slot still in flight frees when its answer comes: look again shortly.
        time.sleep(IN_FLIGHT_POLL_SECONDS if seconds < 0 else seconds + random.uniform(0, 0.003))  # noqa: S311


def release(slot: Slot) -> None:
    airtable_redis().eval(RELEASE, 2, *slot.keys, WINDOW_SECONDS, slot.member)


def base_pause(*, base_id: str, seconds: float) -> None:
    """Airtable answered 429: nobody sends to this base for `seconds` (Airtable asks for 30)."""
    airtable_redis().set(pause_key(base_id), "1", px=max(1, int(seconds * 1000)))


def base_paused_for(base_id: str) -> float:
    ms = int(airtable_redis().pttl(pause_key(base_id)))
    return ms / 1000 if ms > 0 else 0.0
