"""Job events onto the channel layer; the realtime app pushes them to sockets.

Events are hints: a client that reconnects re-reads state, so a dropped publish loses nothing.
"""

import logging
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

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
        event["result"] = job.result
    if job.status == Job.Status.FAILED:
        event["error"] = {"code": job.error_code, "message": job.error}
    return event


def job_event_publish(job: Job) -> None:
    """Send the job's state to its owner's sockets and to sockets subscribed to the job."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "job.event", "event": job_event(job)}
    groups = [job_group(job.id)] + ([user_group(job.user_id)] if job.user_id else [])
    try:
        for group in groups:
            async_to_sync(layer.group_send)(group, message)
    except Exception:  # a lost hint is harmless; a failed job because of it is not
        logger.warning("could not publish event for job %s", job.id, exc_info=True)
