"""Usage reports from the analytics rollups, read through platform_core.analytics (exports may not
import realtime): a customer's last 30 days, and the platform's week for staff (exports.reports)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from exports.content import BarChart, Column, Document, Facts, Section, Table
from exports.documents import DocumentRequest, DocumentType, document_type_register
from platform_core.analytics import usage_for_customer, usage_for_platform, usage_recorded_for
from platform_core.models import Customer


def _customer_sections(usage: dict[str, Any]) -> list[Section]:
    metrics, totals = usage["metrics"], usage["totals"]
    rate = metrics["assessment_completion_rate"]
    by_type = sorted(totals["by_type"].items(), key=lambda item: -item[1])
    return [
        Section(
            "Summary",
            [
                Facts(
                    [
                        ("Events", totals["events"], "number"),
                        ("Active users", totals["active_users"], "number"),
                        ("Assessment completion", round(rate * 100, 1) if rate is not None else "-", "text"),
                        ("Tools used", metrics["tool_usage"], "number"),
                        ("Exports", metrics["exports"], "number"),
                        ("AI generations", metrics["ai_generations"], "number"),
                        ("AI cost (USD)", metrics["ai_cost_usd"], "number"),
                        ("Hours to first value", metrics["time_to_first_value_hours"] or "-", "text"),
                    ]
                )
            ],
        ),
        Section(
            "Activity by type",
            [
                BarChart("Events by type", [name for name, _ in by_type], [float(n) for _, n in by_type]),
                Table([Column("Event"), Column("Count", "number")], [[name, n] for name, n in by_type]),
            ],
        ),
        Section(
            "Active users per day",
            [
                Table(
                    [Column("Day"), Column("Active users", "number")],
                    [[p["t"], p["count"]] for p in usage["active_users"]],
                )
            ],
        ),
    ]


def customer_usage_build(request: DocumentRequest) -> Document:
    usage = usage_for_customer(customer=request.customer, range_key="30d")
    return Document(
        kind="usage_report", title="Usage report", subtitle="The last 30 days",
        customer_name=request.customer.name, generated_at=timezone.now(), sections=_customer_sections(usage),
        branding=request.branding,
    )  # fmt: skip


def platform_report_build(*, days: int = 7) -> Document:
    """The weekly staff report: sign-ups, active users and customers, the funnel, AI spend, jobs."""
    usage = usage_for_platform(days=days)
    totals = sorted(usage["totals"].items(), key=lambda item: -item[1])
    daily = [
        [day, users, customers]
        for day, users, customers in zip(usage["days"], usage["active_users"], usage["active_customers"], strict=True)
    ]
    sections = [
        Section(
            "Summary",
            [
                Facts(
                    [
                        ("Sign-ups", usage["signups"], "number"),
                        ("Most active users in a day", max(usage["active_users"] or [0]), "number"),
                        ("AI spend (USD)", usage["ai_spend_usd"], "number"),
                        *[(f"Jobs {status}", n, "number") for status, n in sorted(usage["jobs"].items())],
                    ]
                )
            ],
        ),
        Section(
            "Funnel",
            [BarChart("Funnel", [s["step"] for s in usage["funnel"]], [float(s["count"]) for s in usage["funnel"]])],
        ),
        Section(
            "Active per day",
            [Table([Column("Day"), Column("Active users", "number"), Column("Active customers", "number")], daily)],
        ),
        Section("Events by type", [Table([Column("Event"), Column("Count", "number")], [[t, n] for t, n in totals])]),
    ]
    return Document(
        kind="platform_report", title="Weekly platform report", subtitle=f"The last {days} days",
        customer_name="Platform staff", generated_at=timezone.now(), sections=sections,
    )  # fmt: skip


def _available(customer: Customer) -> bool:
    return usage_recorded_for(customer=customer)


usage_report = document_type_register(
    DocumentType(
        name="usage_report",
        title="Usage report",
        description="Your team's activity over the last 30 days: events, active users, tools, exports, AI.",
        build=customer_usage_build,
        available=_available,
    )
)
