"""The per-request Redis work in one round trip: session check, user snapshot and rate-limit counters.

Keys (in the cache's Redis; every value can be rebuilt from PostgreSQL, so eviction is safe):
  sec:s:<session id>  hash uid, seen (epoch of last activity), end (reason once ended), exp (absolute end)
  sec:u:<user id>     hash cid, role, staff, active, email, cst (the customer's status), cust (JSON of the
                      customer's name, slug, tier, created), name and joined (full name, date joined:
                      GET /auth/me/): what a request needs of its user and customer, no SQL
  sec:rl:<name>:<who>:<window number>  fixed-window counters, expiring with their window
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django_redis import get_redis_connection
from redis import Redis
from redis.exceptions import NoScriptError

USER_SNAPSHOT_TTL = 300  # seconds; changes made by services drop the snapshot at once

# Why a script of our own and not django-ratelimit (the design card's package, which throttles the plain
# Django /admin/login/): every API request needs its session, its user and its rate-limit counters, and
# this does them in one Redis round trip, where django-ratelimit costs a cache round trip per limit and
# knows no sessions. The benchmark that keeps it: bench/api.py (GET /api/v1/jobs/ through this gate beside
# a plain DRF + simplejwt view of the same rows: req/s and worker CPU per request); rerun it before a swap.
_GATE_LUA = """
local now = tonumber(ARGV[1])
local out = {"none", "", "", "", "", "", "", "", "", "", ""}
local first = 1
if ARGV[3] == "1" then
  first = 3
  local s = redis.call("HMGET", KEYS[1], "uid", "seen", "end", "exp")
  if s[3] and s[3] ~= "" then
    out[1] = "ended"; out[2] = s[3]
  elseif not s[1] then
    out[1] = "missing"
  elseif now > tonumber(s[4]) then
    out[1] = "ended"; out[2] = "expired"
  elseif now - tonumber(s[2]) > tonumber(ARGV[2]) then
    out[1] = "ended"; out[2] = "idle"
  else
    local u = redis.call("HMGET", KEYS[2], "cid", "role", "staff", "active", "email", "cst", "cust", "name", "joined")
    if not u[4] then
      out[1] = "nouser"
    else
      out = {"ok", s[1], u[1], u[2], u[3], u[4], u[5], u[6] or "", u[7] or "", u[8] or "", u[9] or ""}
    end
    redis.call("HSET", KEYS[1], "seen", ARGV[1])
  end
end
for i = first, #KEYS do
  local n = redis.call("INCR", KEYS[i])
  if n == 1 then redis.call("EXPIRE", KEYS[i], ARGV[3 + i - first + 1]) end
  out[#out + 1] = n
end
return out
"""

SNAPSHOT_FIELDS = ("uid", "cid", "role", "staff", "active", "email", "cst", "cust", "name", "joined")
HEAD = 1 + len(SNAPSHOT_FIELDS)  # the state, then the snapshot; the rate-limit counts follow

_GATE_SHA = hashlib.sha1(_GATE_LUA.encode()).hexdigest()  # noqa: S324 - the name Redis gives the script


def client() -> Redis:
    return get_redis_connection("default")


def _gate_run(keys: list[str], args: list[Any]) -> Any:
    """EVALSHA, loading the script on the first call to a Redis that does not know it. Straight to the client:
    redis-py's Script object checks for a Pipeline with a typing.Protocol isinstance, ~2% of a small read."""
    redis = client()
    try:
        return redis.evalsha(_GATE_SHA, len(keys), *keys, *args)
    except NoScriptError:
        redis.script_load(_GATE_LUA)
        return redis.evalsha(_GATE_SHA, len(keys), *keys, *args)


def session_key(session_id: str) -> str:
    return f"sec:s:{session_id}"


def user_key(user_id: int | str) -> str:
    return f"sec:u:{user_id}"


@dataclass(frozen=True)
class Limit:
    """One rate limit that applies to this request: `name` is what the 429 body reports."""

    name: str
    who: str
    limit: int
    window: int

    def key(self, now: float) -> str:
        return f"sec:rl:{self.name}:{self.who}:{int(now // self.window)}"

    def reset_at(self, now: float) -> int:
        return (int(now // self.window) + 1) * self.window


@dataclass
class Usage:
    limit: Limit
    count: int
    reset_at: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit.limit - self.count)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit.limit


@dataclass
class GateResult:
    # ok | ended (reason in end_reason) | missing (no session in Redis) | nouser (no snapshot) | none
    state: str
    end_reason: str = ""
    user: dict[str, str] = field(default_factory=dict)
    usages: list[Usage] = field(default_factory=list)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def gate_check(
    *, session_id: str | None, user_id: str | None, limits: list[Limit], now: float | None = None
) -> GateResult:
    """Check the session (and touch its last-seen time) and count the request against `limits`."""
    now = time.time() if now is None else now
    keys: list[str] = []
    if session_id:
        keys += [session_key(session_id), user_key(user_id or "")]
    keys += [limit.key(now) for limit in limits]
    args: list[Any] = [repr(now), settings.SESSION_IDLE_TIMEOUT_SECONDS, "1" if session_id else "0"]
    args += [limit.window + 1 for limit in limits]
    raw = _gate_run(keys, args)
    head = [_text(v) for v in raw[:HEAD]]
    result = GateResult(state=head[0])
    if result.state == "ended":
        result.end_reason = head[1]
    elif result.state == "ok":
        result.user = dict(zip(SNAPSHOT_FIELDS, head[1:], strict=True))
    result.usages = [
        Usage(limit=limit, count=int(count), reset_at=limit.reset_at(now))
        for limit, count in zip(limits, raw[HEAD:], strict=True)
    ]
    return result


def counters_check(*, limits: list[Limit], now: float | None = None) -> list[Usage]:
    return gate_check(session_id=None, user_id=None, limits=limits, now=now).usages if limits else []
