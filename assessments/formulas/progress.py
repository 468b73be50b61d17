"""Progress and milestones (domain.md §13): weights, triggers, completion, engagement."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from assessments.formulas.numbers import round_half_up


@dataclass(frozen=True)
class Milestone:
    id: str
    name: str
    description: str
    weight: int
    triggers: tuple[str, ...]


MILESTONES: tuple[Milestone, ...] = (
    Milestone("initial_setup", "Initial Setup", "Account and product profile in place", 10,
              ("customer_created", "profile_completed")),
    Milestone("icp_analysis", "ICP Analysis", "Ideal customer profile generated and reviewed", 25,
              ("icp_generated", "icp_reviewed", "icp_content_updated", "ai_icp_generated")),
    Milestone("cost_calculation", "Cost of Inaction", "Cost of inaction calculated and reviewed", 25,
              ("cost_calculated", "cost_reviewed", "ai_cost_calculated")),
    Milestone("business_case", "Business Case", "Business case generated and saved", 30,
              ("business_case_generated", "business_case_reviewed", "business_case_saved",
               "ai_business_case_generated")),
    Milestone("export_delivery", "Export & Delivery", "Results exported and delivered", 10,
              ("content_exported", "results_delivered")),
)  # fmt: skip
MILESTONE_IDS = tuple(m.id for m in MILESTONES)
TOTAL_MILESTONE_WEIGHT = sum(m.weight for m in MILESTONES)
EXPORT_MIN_COMPLETED = 2  # delivering something only counts once two tools produced content


def milestones_triggered(*, action: str, completed: set[str]) -> list[str]:
    """The milestones an action completes now (a milestone completes once, on any of its triggers)."""
    hits = []
    for m in MILESTONES:
        if m.id in completed or action not in m.triggers:
            continue
        if m.id == "export_delivery" and len(completed - {m.id}) < EXPORT_MIN_COMPLETED:
            continue
        hits.append(m.id)
    return hits


def progress_completion_percentage(completed: set[str]) -> int:
    done = sum(m.weight for m in MILESTONES if m.id in completed)
    return round_half_up(Decimal(done) / TOTAL_MILESTONE_WEIGHT * 100)


def progress_estimated_days(percentage: int) -> int:
    return math.ceil((100 - percentage) * 2)


def engagement_score(*, percentage: int, completed_count: int, days_since_last_action: float | None) -> int:
    """pct*0.6 + recency bonus (<1 day 20, <3 days 10, <7 days 5) + 5 per completed milestone, at most 100."""
    bonus = 0
    if days_since_last_action is not None:
        bonus = next((b for limit, b in ((1, 20), (3, 10), (7, 5)) if days_since_last_action < limit), 0)
    return min(100, round_half_up(Decimal(percentage) * Decimal("0.6") + bonus + 5 * completed_count))


def next_milestone(completed: set[str]) -> Milestone | None:
    return next((m for m in MILESTONES if m.id not in completed), None)
