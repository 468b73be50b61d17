"""The event catalogue: every type the platform records, and which ones the frontend may send.

Numeric `value` properties are summed by the rollups (README "Analytics" lists what each means).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    client: bool = False  # the frontend may send it to POST /api/v1/analytics/events
    value: str = ""  # what the numeric `value` property holds, when the event carries one


CATALOGUE: dict[str, EventType] = {
    event.name: event
    for event in [
        EventType("user.signed_up", "A customer and its owner registered."),
        EventType("user.signed_in", "A user signed in (a session was opened)."),
        EventType("assessment.started", "A visitor started the public assessment."),
        EventType("assessment.completed", "An assessment was submitted and scored.", value="overall score 0-100"),
        EventType("tool.used", "A signed-in tool was used; `tool` names it (cost_calculator, business_case...)."),
        EventType("icp.generated", "An ICP analysis was generated (the first one is a customer's first value)."),
        EventType("ai.generation", "An AI job produced content; `operation` names it.", value="cost in USD"),
        EventType("export.requested", "An export was requested; `document` and `format` name it."),
        EventType("export.downloaded", "An export's file link was handed out."),
        EventType("rating.created", "A prospect company was rated for ICP fit.", value="fit score 0-100"),
        EventType("sync.run", "An integration sync ran; `integration` names it."),
        EventType("subscription.activated", "A customer started paying (the end of the funnel)."),
        EventType("page.viewed", "The frontend showed a page; `path` names it.", client=True),
        EventType("feature.clicked", "A user clicked a tracked control; `feature` names it.", client=True),
        EventType("tool.opened", "A user opened a tool's screen; `tool` names it.", client=True),
        EventType("resource.viewed", "A user read a library resource; `code` names it.", client=True),
    ]
}
CLIENT_TYPES = frozenset(name for name, event in CATALOGUE.items() if event.client)

# What a customer's dashboard calls its tools (tool.used `tool` values are free text within 64 chars).
FIRST_VALUE_TYPES = ("icp.generated", "export.requested")
