"""Writes of the realtime app: socket tickets (single use, short-lived) and broadcasts to every socket."""

import hashlib
import json
import secrets
import uuid
from typing import Any

import redis
from django.conf import settings
from django.utils import timezone
from django_redis import get_redis_connection

from platform_core.models import User

TICKET_PREFIX = "realtime:ticket:"


def _ticket_key(ticket: str) -> str:
    return f"{TICKET_PREFIX}{ticket}"


def ticket_issue(*, user: User, session_id: str = "") -> str:
    """A random single-use ticket naming the user and the login session it came from, valid
    REALTIME_TICKET_TTL_SECONDS; the socket lives only as long as that session (consumers).

    Its prefix (before the ".") routes: nginx hashes it, so every socket of one customer reaches one
    WebSocket instance (docker/nginx.conf.template). It is a keyed hash, so it reveals nothing.
    """
    ticket = f"{ticket_route(user=user)}.{secrets.token_urlsafe(32)}"
    value = f"{user.pk}:{session_id}"
    get_redis_connection("default").set(_ticket_key(ticket), value, ex=settings.REALTIME_TICKET_TTL_SECONDS)
    return ticket


def ticket_route(*, user: User) -> str:
    owner = f"customer:{user.customer_id}" if user.customer_id else f"user:{user.pk}"
    return hashlib.blake2b(owner.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=4).hexdigest()


def ticket_redeem(*, ticket: str) -> tuple[User | None, str]:
    """The ticket's active user and session id, once: GETDEL makes a second use (or an expired
    ticket) find nothing."""
    if not ticket or len(ticket) > 128:
        return None, ""
    value = get_redis_connection("default").getdel(_ticket_key(ticket))
    if value is None:
        return None, ""
    user_id, _, session_id = value.decode().partition(":")
    user = User.objects.select_related("customer").filter(pk=int(user_id), is_active=True).first()
    return user, session_id


_publisher: redis.Redis | None = None


def broadcast_publish(*, type: str, data: dict[str, Any] | None = None, message: str = "") -> dict[str, Any]:
    """Push one event to every open socket of every WebSocket process (one Redis PUBLISH).

    Each process fans it out in memory (realtime.broadcast), instead of one channel-layer
    message per socket. Like job events it is a hint: a socket that is down misses it.
    """
    global _publisher
    event = {
        "type": type,
        "eventId": uuid.uuid4().hex,
        "message": message,
        "data": data or {},
        "at": timezone.now().isoformat(),
    }
    if _publisher is None:
        _publisher = redis.Redis.from_url(settings.CHANNELS_REDIS_URL)
    _publisher.publish(settings.REALTIME_BROADCAST_CHANNEL, json.dumps(event, separators=(",", ":")))
    return event
