"""The /ws/ socket: authenticated by a ticket (or a staff session), pushes the user's job events.

Protocol (JSON text frames):
- connect to /ws/?ticket=<POST /api/v1/realtime/ticket/>; refused sockets are closed with 4401
  (no, reused or expired ticket) or 4403 (an Origin that is not ours; no Origin is allowed unless
  REALTIME_ALLOW_MISSING_ORIGIN is off). Staff pages may rely on the admin session cookie instead.
- first frame: {"type": "snapshot", "jobs": [{"jobId", "kind", "status", "progress", "message", "at"}]}
  (the user's queued and running jobs: a reconnecting client re-reads its state here).
- then job events {"type": "job.progress"|"job.succeeded"|"job.failed"|"job.cancelled", "eventId",
  "jobId", "kind", "status", "progress", "message", "at", "result"?, "error"?} for the user's jobs and
  jobs it follows, each once; and broadcasts such as {"type": "announcement", "eventId", "message", "data", "at"}.
- analytics dashboards: {"type": "analytics.update", "eventId", "at", "scope": "customer"|"platform",
  "counts": {eventType: n}, "customers"?} after each rollup fold, with the events just folded in
  (the user's customer's; staff also get the platform's). A dashboard adds them to what it shows.
- client actions: {"action": "subscribe"|"unsubscribe", "jobId"} (a job of the user's customer;
  answered {"type": "subscribed", "job": {...current state}}), {"action": "ping"} -> {"type": "pong"}.
  Mistakes are answered {"type": "error", "error": {"code", "message", "details"}}.
- the server pings every 20 s and closes a socket that stops answering.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any, NoReturn
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from platform_core.events import customer_group, job_group, session_group, user_group
from platform_core.models import User
from platform_core.observability.health_page import STAFF_GROUP as STAFF_HEALTH_GROUP
from platform_core.observability.metrics import WS_DISCONNECTS, WS_EVENTS_SENT, WS_OPEN
from realtime import selectors, services
from realtime.analytics.live import STAFF_GROUP as STAFF_ANALYTICS_GROUP
from realtime.broadcast import hub

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN_ORIGIN = 4403
MAX_SUBSCRIPTIONS = 50
SEEN_EVENTS = 256  # an event reaches a socket via user.<id> and job.<id>: remember recent ids


def _dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), default=str)


@database_sync_to_async
def _open(*, ticket: str, session_user: Any) -> tuple[User | None, str, list[dict[str, Any]]]:
    """Who connects (ticket first, else a staff session), the login session the ticket came from and
    their active jobs, in one thread hop."""
    user, session_id = services.ticket_redeem(ticket=ticket) if ticket else (None, "")
    if user is None and getattr(session_user, "is_authenticated", False) and session_user.is_staff:
        user = session_user
    if user is None or selectors.socket_access_problem(user_id=user.pk, session_id=session_id, customer_id=None):
        return None, "", []
    return user, session_id, selectors.job_snapshot_for_user(user=user)


class JobEventsConsumer(AsyncWebsocketConsumer):
    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its thread hop per message to close stale database connections: ~15%
        of the socket process's CPU under load (issue 12). Every database call here goes through
        database_sync_to_async, which closes them itself, before and after."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.user: User | None = None
        self.session_id = ""
        self.joined: set[str] = set()
        self.seen: deque[str] = deque(maxlen=SEEN_EVENTS)
        # Accept first: a close before accept is an HTTP 403 and the client never sees our code.
        await self.accept()
        headers = dict(self.scope.get("headers", []))
        origin = headers.get(b"origin", b"").decode("latin-1") or None
        if not selectors.origin_allowed(origin):
            await self._refuse(CLOSE_FORBIDDEN_ORIGIN)
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        ticket = (query.get("ticket") or [""])[0]
        user, session_id, snapshot = await _open(ticket=ticket, session_user=self.scope.get("user"))
        if user is None:
            await self._refuse(CLOSE_UNAUTHENTICATED)
        self.user, self.session_id = user, session_id
        await self._join(user_group(user.pk))
        if session_id:  # logout / revoke of that session reaches this socket through its group
            await self._join(session_group(session_id))
        if user.customer_id:
            await self._join(customer_group(user.customer_id))
        if user.is_staff:
            await self._join(STAFF_HEALTH_GROUP)  # the staff health page's live numbers
            await self._join(STAFF_ANALYTICS_GROUP)  # the staff analytics dashboard's
        # Group messages wait in the channel until connect returns, so the snapshot comes first.
        await self.send(text_data=_dumps({"type": "snapshot", "jobs": snapshot}))
        hub.register(self)
        WS_OPEN.inc()

    async def _refuse(self, code: int) -> NoReturn:
        await self.close(code=code)
        # End the consumer now: uvicorn's shutdown would otherwise wait for it.
        raise StopConsumer()

    async def disconnect(self, code: int) -> None:
        if self in hub.sockets:  # an accepted, authenticated socket (refused ones never counted)
            WS_OPEN.dec()
            WS_DISCONNECTS.labels("normal" if code in (1000, 1001) else "dropped").inc()
        hub.unregister(self)
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined.clear()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.user is None:
            return
        try:
            request = json.loads(text_data or "")
            action = request.get("action")
        except (ValueError, AttributeError):
            await self._error("invalid_message", 'Send JSON objects like {"action": "subscribe", "jobId": ...}.')
            return
        if action == "ping":
            await self.send(text_data=_dumps({"type": "pong"}))
        elif action in ("subscribe", "unsubscribe"):
            await self._subscription(action, str(request.get("jobId") or ""))
        else:
            await self._error("unknown_action", "Actions are subscribe, unsubscribe and ping.", action=action)

    async def job_event(self, message: dict[str, Any]) -> None:
        """A job.event from platform_core.events, once per socket however many groups brought it."""
        event = message["event"]
        event_id = event.get("eventId")
        if event_id:
            if event_id in self.seen:
                return
            self.seen.append(event_id)
        await self.send(text_data=_dumps(selectors.client_event(event)))
        WS_EVENTS_SENT.labels(event.get("type", "job")).inc()

    async def analytics_update(self, message: dict[str, Any]) -> None:
        """New rollup values (realtime.analytics.live) for the customer's or the staff dashboard."""
        await self.send(text_data=_dumps(message["event"]))

    async def access_changed(self, message: dict[str, Any]) -> None:
        """From platform_core.events.sockets_close_publish: a session ended, a member moved or left, a
        customer was suspended. Re-check, and close when this socket no longer serves anyone."""
        if not await self._still_allowed():
            await self.close(code=CLOSE_UNAUTHENTICATED)

    async def _still_allowed(self) -> bool:
        if self.user is None:
            return False
        problem = await database_sync_to_async(selectors.socket_access_problem)(
            user_id=self.user.pk, session_id=self.session_id, customer_id=self.user.customer_id
        )
        return problem is None

    async def staff_health(self, message: dict[str, Any]) -> None:
        """staff.health from platform_core.observability: {"type": "health", "health": {...}}."""
        await self.send(text_data=_dumps({"type": "health", "health": message["health"]}))
        WS_EVENTS_SENT.labels("health").inc()

    async def _subscription(self, action: str, job_id: str) -> None:
        assert self.user is not None
        if not await self._still_allowed():  # every subscribe re-checks the session, user and customer
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        job = await database_sync_to_async(selectors.job_watchable)(user=self.user, job_id=job_id)
        if job is None:
            await self._error("job_not_found", "No such job.", jobId=job_id)
            return
        group = job_group(job.pk)
        if action == "unsubscribe":
            if group in self.joined:
                self.joined.discard(group)
                await self.channel_layer.group_discard(group, self.channel_name)
            await self.send(text_data=_dumps({"type": "unsubscribed", "jobId": job_id}))
            return
        followed = sum(1 for joined in self.joined if joined.startswith("job."))
        if group not in self.joined and followed >= MAX_SUBSCRIPTIONS:
            await self._error("too_many_subscriptions", f"A socket follows at most {MAX_SUBSCRIPTIONS} jobs.")
            return
        await self._join(group)
        # The current state comes with the confirmation: nothing before the subscription is lost.
        await self.send(text_data=_dumps({"type": "subscribed", "job": selectors.job_state(job)}))

    async def _join(self, group: str) -> None:
        if group not in self.joined:
            self.joined.add(group)
            await self.channel_layer.group_add(group, self.channel_name)

    async def _error(self, code: str, message: str, **details: Any) -> None:
        error = {"code": code, "message": message, "details": details}
        await self.send(text_data=_dumps({"type": "error", "error": error}))
