"""Reads for sockets: who is connecting, what they may watch, and what they see first."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http.request import validate_host

from platform_core.exceptions import ApplicationError
from platform_core.models import Customer, Job, User
from platform_core.selectors.jobs import job_get_for_user, job_list_active_for_user
from platform_core.services.sessions import session_alive

# What a client may see of a published job event (anything else stays on the server).
CLIENT_EVENT_FIELDS = ("type", "eventId", "jobId", "kind", "status", "progress", "message", "at", "result", "error")
SNAPSHOT_LIMIT = 100


def origin_allowed(origin: str | None) -> bool:
    """Browsers always send Origin: it must be a CORS origin or an allowed host.

    No Origin at all means a non-browser client (a CLI, a server, the bench); it is let
    through when REALTIME_ALLOW_MISSING_ORIGIN, because it still needs a ticket and cannot
    ride on a victim's cookies (what the Origin check is for).
    """
    if not origin:
        return settings.REALTIME_ALLOW_MISSING_ORIGIN
    if origin in settings.CORS_ALLOWED_ORIGINS:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    return validate_host(parts.hostname, settings.ALLOWED_HOSTS)


def client_event(event: dict[str, Any]) -> dict[str, Any]:
    return {key: event[key] for key in CLIENT_EVENT_FIELDS if key in event}


def job_state(job: Job) -> dict[str, Any]:
    return {
        "jobId": str(job.id),
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "at": job.updated_at.isoformat(),
    }


def job_snapshot_for_user(*, user: User) -> list[dict[str, Any]]:
    """The user's queued and running jobs: what a (re)connecting socket is sent first."""
    return [job_state(job) for job in job_list_active_for_user(user=user)[:SNAPSHOT_LIMIT]]


def job_watchable(*, user: User, job_id: str) -> Job | None:
    """A job the user may follow: one of their customer's (staff: any); else None."""
    try:
        if user.is_staff:
            return Job.objects.get(pk=job_id)
        return job_get_for_user(user=user, job_id=job_id)
    except (Job.DoesNotExist, ValidationError, ValueError, ApplicationError):  # ApplicationError: no customer
        return None


def socket_access_problem(*, user_id: int, session_id: str, customer_id: int | None) -> str | None:
    """Why a socket may no longer serve this user (None: it may): the ticket's session ended, the user
    is inactive, moved to another customer (`customer_id`: the one the socket joined) or the customer
    is suspended. One query and one Redis read; run at connect, on access.changed and on subscribe."""
    user = User.objects.select_related("customer").filter(pk=user_id).first()
    if user is None or not user.is_active:
        return "user_inactive"
    if customer_id is not None and user.customer_id != customer_id:
        return "customer_changed"
    if user.customer is not None and user.customer.status == Customer.Status.SUSPENDED:
        return "customer_suspended"
    if session_id and not session_alive(session_id=session_id, user_id=user_id):
        return "session_ended"
    return None
