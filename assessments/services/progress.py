"""Progress: milestones complete only from server-side facts; clients may report a few catalogued events.

Services call `progress_track` when something happened on the server (a calculation, a generated
ICP, a saved business case, a verified Make callback). It is on hot paths (every cost calculation),
so it decides from the cached progress (one cache read) and writes only when a milestone completes
or the customer's last recorded action is older than RECENCY_RESOLUTION (what the engagement score
needs, at day granularity): a repeated calculation writes nothing.
"""

import json
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from assessments import cache as assessment_cache
from assessments.airtable_sync import user_progress_values
from assessments.formulas import milestones_triggered
from assessments.models import MilestoneCompletion, ProgressAction
from assessments.selectors import progress_get_for_customer
from integrations.airtable.outbox import airtable_change_enqueue
from platform_core.exceptions import ApplicationError
from platform_core.models import Customer, User

RECENCY_RESOLUTION = timedelta(hours=1)
# What a browser may report (POST /progress/track): views and clicks. They count for recency and
# analytics, never for milestones: those need the server to have seen the work done.
CLIENT_EVENTS = frozenset(
    {
        "dashboard_viewed",
        "icp_reviewed",
        "personas_reviewed",
        "cost_reviewed",
        "business_case_reviewed",
        "resource_viewed",
        "results_delivered",
        "content_exported",
    }
)
CLIENT_METADATA_MAX_BYTES = 2048
CLIENT_METADATA_MAX_KEYS = 20


def _recent(last_action_at: str | None, now: datetime) -> bool:
    return bool(last_action_at) and now - datetime.fromisoformat(str(last_action_at)) < RECENCY_RESOLUTION


def progress_track(
    *, customer: Customer, action: str, user: User | None = None, metadata: dict | None = None
) -> ProgressAction | None:
    """Record a server-side fact and complete the milestones it triggers (each once per customer).

    None when nothing changed (no milestone, and an action was recorded within RECENCY_RESOLUTION).
    """
    now = timezone.now()
    progress = progress_get_for_customer(customer=customer)
    completed = {m["id"] for m in progress["milestones"] if m["completed"]}
    if not milestones_triggered(action=action, completed=completed) and _recent(progress["last_action_at"], now):
        return None
    return _record(customer=customer, user=user, action=action, metadata=metadata or {}, milestones=True)


@transaction.atomic
def _record(*, customer: Customer, user: User | None, action: str, metadata: dict, milestones: bool) -> ProgressAction:
    triggered: list[str] = []
    if milestones:
        # The customer row lock serialises concurrent completions, so "≥ 2 milestones done" is read
        # consistently; taken only here, when the cached progress says a milestone may complete.
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        completed = set(MilestoneCompletion.objects.filter(customer=customer).values_list("milestone", flat=True))
        triggered = milestones_triggered(action=action, completed=completed)
    entry = ProgressAction.objects.create(
        customer=customer, user=user, action=action, metadata=metadata, milestones_triggered=triggered
    )
    completions = MilestoneCompletion.objects.bulk_create(
        [
            MilestoneCompletion(customer=customer, milestone=m, trigger=action, completed_at=entry.created_at)
            for m in triggered
        ],
        ignore_conflicts=True,
    )
    for completion in completions:
        airtable_change_enqueue(
            customer=customer, entity="user_progress", key=completion.milestone, fields=user_progress_values(completion)
        )
    assessment_cache.invalidate(assessment_cache.progress_key(customer.pk))
    return entry


def _client_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """Flat, small, scalar: what an analytics event needs and no more."""
    problems = []
    if len(metadata) > CLIENT_METADATA_MAX_KEYS:
        problems.append(f"at most {CLIENT_METADATA_MAX_KEYS} keys")
    if any(not (v is None or isinstance(v, str | int | float | bool)) for v in metadata.values()):
        problems.append("values must be strings, numbers, booleans or null")
    elif len(json.dumps(metadata, default=str)) > CLIENT_METADATA_MAX_BYTES:
        problems.append(f"at most {CLIENT_METADATA_MAX_BYTES} bytes")
    if problems:
        raise ApplicationError(
            "The event's metadata is too large or not flat.", code="invalid_metadata", details={"metadata": problems}
        )
    return metadata


def progress_client_event_record(
    *, customer: Customer, user: User | None, action: str, metadata: dict[str, Any]
) -> ProgressAction:
    """An event a browser reports: from the catalogue, small, never completing a milestone."""
    if action not in CLIENT_EVENTS:
        raise ApplicationError(
            "Unknown progress event.",
            code="unknown_action",
            details={"action": [action], "allowed": sorted(CLIENT_EVENTS)},
        )
    return _record(customer=customer, user=user, action=action, metadata=_client_metadata(metadata), milestones=False)
