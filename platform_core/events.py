"""Job events onto the channel layer; the realtime app pushes them to sockets.

Events are hints: a client that reconnects re-reads state, so a dropped publish loses nothing.
"""

import asyncio
import logging
import os
import threading
import uuid
from typing import Any

from channels.layers import BaseChannelLayer, get_channel_layer
from django.db import transaction
from django.utils import timezone
from djangorestframework_camel_case.util import camelize

from platform_core.models import Job

logger = logging.getLogger(__name__)

EVENT_TYPES = {
    Job.Status.QUEUED: "job.progress",
    Job.Status.RUNNING: "job.progress",
    Job.Status.SUCCEEDED: "job.succeeded",
    Job.Status.FAILED: "job.failed",
    Job.Status.CANCELLED: "job.cancelled",
}


def user_group(user_id: object) -> str:
    return f"user.{user_id}"


def customer_group(customer_id: object) -> str:
    return f"customer.{customer_id}"


def job_group(job_id: object) -> str:
    return f"job.{job_id}"


def session_group(session_id: object) -> str:
    """The sockets opened with one login session's tickets."""
    return f"session.{session_id}"


def job_event(job: Job) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": EVENT_TYPES[Job.Status(job.status)],
        "eventId": uuid.uuid4().hex,
        "jobId": str(job.id),
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "at": timezone.now().isoformat(),
    }
    if job.status == Job.Status.SUCCEEDED:
        event["result"] = camelize(job.result)  # the same camelCase the API renders
    if job.status == Job.Status.FAILED:
        event["error"] = {"code": job.error_code, "message": job.error}
    return event


class _Publisher:
    """One event loop per process, run by a daemon thread, so the layer's Redis connections stay
    open between events (async_to_sync would build a loop and connect again for every event)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():  # a forked worker starts its own
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="job-events", daemon=True).start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop

    def send(self, layer: BaseChannelLayer, messages: list[tuple[str, dict[str, Any]]]) -> None:
        """Each (group, message) in order, on the process's loop; raises what the layer raised."""

        async def send_all() -> None:
            for group, message in messages:
                await layer.group_send(group, message)

        asyncio.run_coroutine_threadsafe(send_all(), self._running_loop()).result(timeout=5)


_publisher = _Publisher()


def group_messages_publish(layer: BaseChannelLayer, messages: list[tuple[str, dict[str, Any]]]) -> None:
    """Send each message to its group on the layer from sync code, over the process's open connections."""
    _publisher.send(layer, messages)


def job_event_publish(job: Job) -> None:
    """Send the job's state to its owner's sockets and to sockets subscribed to the job."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "job.event", "event": job_event(job)}
    groups = [job_group(job.id)] + ([user_group(job.user_id)] if job.user_id else [])
    try:
        _publisher.send(layer, [(group, message) for group in groups])
    except Exception:  # a lost hint is harmless; a failed job because of it is not
        logger.warning("could not publish event for job %s", job.id, exc_info=True)


def sockets_close_publish(
    *,
    reason: str,
    session_ids: list[str] | tuple[str, ...] = (),
    user_ids: list[int] | tuple[int, ...] = (),
    customer_ids: list[int] | tuple[int, ...] = (),
) -> None:
    """Tell every socket of these sessions / users / customers to re-check who it serves (it closes
    with 4401 when that no longer holds): sent after the commit that ended the session, moved or
    removed the member, or suspended the customer. Sockets also re-check on every subscribe, so a
    lost message only delays the close."""
    groups = (
        [session_group(s) for s in session_ids]
        + [user_group(u) for u in user_ids]
        + [customer_group(c) for c in customer_ids]
    )
    if not groups:
        return

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            message = {"type": "access.changed", "reason": reason}
            _publisher.send(layer, [(group, message) for group in groups])
        except Exception:
            logger.warning("could not tell sockets to close (%s)", reason, exc_info=True)

    transaction.on_commit(send)
