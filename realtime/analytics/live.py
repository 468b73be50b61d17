"""New rollup values pushed to dashboards: each fold's delta goes to the customer's group and the
staff group on the channel layer; the socket consumer forwards it as an `analytics.update` frame.
Like job events these are hints: a dashboard that missed one re-reads GET /analytics/dashboard."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from channels.layers import get_channel_layer
from django.utils import timezone

from platform_core.events import customer_group, group_messages_publish

logger = logging.getLogger(__name__)

STAFF_GROUP = "staff.analytics"


def dashboard_updates_publish(*, delta: list[dict[str, Any]]) -> int:
    """Send a fold's delta: per customer to its group, all of it to staff. Returns messages sent."""
    layer = get_channel_layer()
    if layer is None or not delta:
        return 0
    at = timezone.now().isoformat()
    per_customer: dict[int, dict[str, int]] = {}
    platform: dict[str, int] = {}
    for row in delta:
        platform[row["type"]] = platform.get(row["type"], 0) + row["count"]
        if row["customer_id"] is not None:
            counts = per_customer.setdefault(row["customer_id"], {})
            counts[row["type"]] = counts.get(row["type"], 0) + row["count"]
    bodies: list[tuple[str, dict[str, Any]]] = [
        (customer_group(customer_id), {"scope": "customer", "counts": counts})
        for customer_id, counts in per_customer.items()
    ]
    bodies.append((STAFF_GROUP, {"scope": "platform", "counts": platform, "customers": len(per_customer)}))
    messages = [
        (
            group,
            {
                "type": "analytics.update",
                "event": {"type": "analytics.update", "eventId": uuid.uuid4().hex, "at": at, **body},
            },
        )
        for group, body in bodies
    ]
    try:
        group_messages_publish(layer, messages)  # on the process's open connections, not a loop per fold
    except Exception:  # a lost hint is harmless; the next read has the numbers
        logger.warning("analytics: could not publish dashboard updates", exc_info=True)
        return 0
    return len(messages)
