"""A business case: the pilot / full-implementation case, or the one-page investment case."""

from typing import Any

from assessments import selectors as assessment_selectors
from exports.content import BarChart, BulletList, Column, Facts, Kind, Paragraph, Section, Table, Value
from exports.documents import record_document_type
from platform_core.models import Customer

BUDGET_TITLES = {
    "platform_license": "Platform license",
    "implementation": "Implementation",
    "training": "Training",
    "support": "Support",
}


def sections(case: Any) -> list[Section]:
    return _simple_sections(case.content) if case.type == "simple" else _full_sections(case.content)


def _full_sections(content: dict[str, Any]) -> list[Section]:
    summary, investment = content["executive_summary"], content["investment"]
    projections, plan = content["financial_projections"], content["implementation_plan"]
    breakdown = investment["breakdown"]
    measurement = content["measurement_plan"]
    return [
        Section(
            "Executive summary",
            [
                Facts(
                    [
                        ("Challenge", summary["challenge"], "text"),
                        ("Solution", summary["solution"], "text"),
                        ("Investment", summary["investment"], "text"),
                        ("Expected ROI", summary["expected_roi"], "text"),
                    ]
                ),
                *([BulletList(summary["current_challenges"])] if summary.get("current_challenges") else []),
            ],
        ),
        Section(
            "Investment and return",
            [
                Facts(
                    [
                        ("Total investment", investment["total_cost"], "money"),
                        ("Projected benefits", projections["projected_benefits"], "money"),
                        ("Opportunity cost of waiting", projections["opportunity_cost"], "money"),
                        ("Payback period", investment["payback_period"], "text"),
                        ("Industry multiplier", projections["industry_multiplier"], "number"),
                    ]
                ),
                BarChart(
                    "Investment breakdown",
                    [BUDGET_TITLES.get(k, k) for k in breakdown],
                    [float(v) for v in breakdown.values()],
                    "money",
                ),
                Paragraph(f"ROI = {projections['roi_formula']}; payback = {projections['payback_formula']}."),
            ],
        ),
        Section(
            "Implementation plan",
            [
                Table(
                    [Column("Phase"), Column("Duration"), Column("Activities")],
                    [[p["phase"], p["duration"], ", ".join(p["activities"])] for p in plan["phases"]],
                ),
                Table(
                    [Column("Milestone"), Column("When"), Column("Deliverable")],
                    [[m["milestone"], m["timeframe"], m["deliverable"]] for m in plan["milestones"]],
                    title="Milestones",
                ),
            ],
        ),
        Section(
            "Risks",
            [
                Table(
                    [Column("Risk"), Column("Mitigation")],
                    [[r["risk"], r["mitigation"]] for r in content["risk_mitigation"]],
                )
            ],
        ),
        Section(
            "Measurement and next steps",
            [
                Facts(
                    [
                        ("Review frequency", measurement["frequency"], "text"),
                        ("Checkpoints", ", ".join(measurement["key_checkpoints"]), "text"),
                    ]
                ),
                *([BulletList(measurement["custom_metrics"])] if measurement.get("custom_metrics") else []),
                BulletList(content["next_steps"]),
            ],
        ),
    ]


def _simple_sections(content: dict[str, Any]) -> list[Section]:
    summary, metrics = content["executive_summary"], content["metrics"]
    recommendation = content["recommendation"]
    context: list[tuple[str, Value, Kind]] = [
        ("Target segment", (content.get("icp_context") or {}).get("target_segment"), "text"),
        ("Product", (content.get("product_context") or {}).get("name"), "text"),
        ("Business model", (content.get("product_context") or {}).get("business_model"), "text"),
    ]
    return [
        Section(
            "Executive summary",
            [
                Facts([("Total cost of delay", summary["total_cost_of_delay"], "money")]),
                BulletList(summary["top_findings"]),
            ],
        ),
        Section(
            "What the delay costs",
            [
                BarChart(
                    "Cost drivers",
                    [m["label"] for m in metrics.values()],
                    [float(m["value"]) for m in metrics.values()],
                    "money",
                ),
                Table(
                    [Column("Metric"), Column("Cost", "money"), Column("Impact")],
                    [[m["label"], m["value"], m["impact"]] for m in metrics.values()],
                ),
            ],
        ),
        Section(
            "Recommendation",
            [
                Paragraph(f"{recommendation['title']}: {recommendation['description']}"),
                BulletList(recommendation["expected_impact"]),
            ],
        ),
        Section(
            "Next steps",
            [
                Table(
                    [Column("Step", "number"), Column("Action"), Column("Owner"), Column("When")],
                    [[s["step"], s["title"], s["owner"], s["timeline"]] for s in content["next_steps"]],
                )
            ],
        ),
        *([Section("Context", [Facts(context)])] if any(value for _, value, _ in context) else []),
    ]


def _case(customer: Customer, case_id: int) -> Any:
    return assessment_selectors.business_case_get_for_customer(customer=customer, business_case_id=case_id)


def latest(customer: Customer) -> Any:
    return assessment_selectors.business_case_list_for_customer(customer=customer).first()


BUSINESS_CASE = record_document_type(
    name="business-case",
    title="Business Case",
    description="Executive summary, investment and return, plan, risks and next steps of a business case.",
    label="business case",
    fetch=_case,
    latest=latest,
    sections=sections,
    document_title=lambda case: case.title,
    subtitle=lambda case, _customer: f"{case.get_type_display()} · {case.get_status_display()}",
)
