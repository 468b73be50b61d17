"""Business case (domain.md §6): templates, budget split, projected benefits, plan; and the one-pager."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from assessments.formulas.numbers import as_decimal, floor_int, round_half_up, to_cents

BUSINESS_CASE_TEMPLATES: dict[str, dict[str, Any]] = {
    "pilot": {
        "name": "Pilot Program Proposal",
        "duration": "3-6 months",
        "investment": "$25,000-$75,000",
        "sections": ["Executive Summary", "Problem Statement", "Proposed Solution", "Success Metrics",
                     "Investment & ROI", "Next Steps"],
        "key_points": ["Low-risk evaluation period", "Measurable success criteria",
                       "Clear path to full implementation"],
    },
    "full_implementation": {
        "name": "Full Implementation Business Case",
        "duration": "6-18 months",
        "investment": "$100,000-$500,000",
        "sections": ["Strategic Alignment", "Current State Analysis", "Solution Architecture",
                     "Financial Projections", "Risk Assessment", "Implementation Timeline"],
        "key_points": ["Comprehensive transformation", "Long-term value creation", "Competitive advantage"],
    },
}  # fmt: skip
ROI_MULTIPLIERS = {"pilot": Decimal("1.5"), "full_implementation": Decimal("2.5")}
INDUSTRY_MULTIPLIERS = {
    "technology": Decimal("1.2"),
    "finance": Decimal("1.1"),
    "healthcare": Decimal("1.0"),
    "manufacturing": Decimal("0.9"),
    "retail": Decimal("0.8"),
}
BUDGET_SPLIT = {
    "platform_license": Decimal("0.4"),
    "implementation": Decimal("0.3"),
    "training": Decimal("0.15"),
    "support": Decimal("0.15"),
}
BASE_RISKS = [
    {"risk": "User adoption challenges", "mitigation": "Comprehensive training and change management"},
    {"risk": "Technical integration issues", "mitigation": "Thorough testing and phased rollout"},
    {"risk": "Resource allocation conflicts", "mitigation": "Clear project governance and stakeholder alignment"},
]
ENTERPRISE_RISK = {
    "risk": "Complex approval processes",
    "mitigation": "Executive sponsorship and streamlined decision-making",
}
NEXT_STEPS = {
    "pilot": ["Finalize pilot scope and success criteria", "Prepare pilot environment and user accounts",
              "Schedule kickoff meeting and training sessions", "Establish reporting and feedback mechanisms"],
    "full_implementation": ["Secure executive approval and resource allocation",
                            "Finalize technical requirements and integration plan",
                            "Establish project governance and communication plan",
                            "Begin vendor evaluation and contract negotiation"],
}  # fmt: skip


def business_case_expected_roi(case_type: str) -> str:
    r = ROI_MULTIPLIERS[case_type]
    return f"{round_half_up((r - 1) * 100)}% - {round_half_up((r * Decimal('1.5') - 1) * 100)}%"


def business_case_phases(case_type: str, timeline_months: int) -> list[dict[str, Any]]:
    if case_type == "pilot":
        return [
            {"phase": "Setup & Configuration", "duration": "2-4 weeks",
             "activities": ["System setup", "Data integration", "User training"]},
            {"phase": "Pilot Execution", "duration": "8-16 weeks",
             "activities": ["User onboarding", "Process optimization", "Performance monitoring"]},
            {"phase": "Evaluation & Next Steps", "duration": "2-4 weeks",
             "activities": ["Results analysis", "ROI assessment", "Expansion planning"]},
        ]  # fmt: skip
    t = Decimal(timeline_months)
    return [
        {"phase": "Foundation", "duration": "4-8 weeks",
         "activities": ["Infrastructure setup", "System integration", "Team preparation"]},
        {"phase": "Implementation", "duration": f"{floor_int(t * Decimal('0.6'))} months",
         "activities": ["Rollout execution", "User adoption", "Process optimization"]},
        {"phase": "Optimization", "duration": f"{floor_int(t * Decimal('0.3'))} months",
         "activities": ["Performance tuning", "Advanced features", "Scale preparation"]},
    ]  # fmt: skip


def business_case_milestones(timeline_months: int) -> list[dict[str, str]]:
    """Three phase milestones every ceil(timeline/3) months, the last never after the timeline ends."""
    step = math.ceil(timeline_months / 3)
    return [
        {
            "milestone": f"Phase {i} Completion",
            "timeframe": f"Month {min(i * step, timeline_months)}",
            "deliverable": f"Phase {i} objectives achieved and validated",
        }
        for i in (1, 2, 3)
    ]


def business_case(
    *,
    case_type: str,
    budget: Decimal | int,
    timeline_months: int,
    industry: str,
    company_size: str,
    customer_name: str,
    success_metrics: list[str],
    current_challenges: list[str],
) -> dict[str, Any]:
    budget = as_decimal(budget)
    breakdown = {name: floor_int(budget * share) for name, share in BUDGET_SPLIT.items()}
    multiplier = INDUSTRY_MULTIPLIERS.get(industry.strip().lower(), Decimal("1.0"))
    benefits = round_half_up(budget * ROI_MULTIPLIERS[case_type] * multiplier)
    expected_roi = business_case_expected_roi(case_type)
    payback = "6-9 months" if case_type == "pilot" else "12-18 months"
    risks = BASE_RISKS + ([ENTERPRISE_RISK] if company_size.strip().lower() == "enterprise" else [])
    label = "pilot evaluation" if case_type == "pilot" else "full transformation"
    return {
        "type": case_type,
        "template": BUSINESS_CASE_TEMPLATES[case_type],
        "executive_summary": {
            "challenge": f"{customer_name} seeks to optimize revenue intelligence processes for the {industry} market",
            "solution": f"Implement the Revenue Intelligence Platform for {label}",
            "investment": f"${int(budget):,} over {timeline_months} months",
            "expected_roi": expected_roi,
            "current_challenges": current_challenges,
        },
        "investment": {
            "total_cost": int(budget) if budget == int(budget) else float(budget),
            "breakdown": breakdown,
            "expected_roi": expected_roi,
            "payback_period": payback,
        },
        "financial_projections": {
            "projected_benefits": benefits,
            "industry_multiplier": float(multiplier),
            "opportunity_cost": floor_int(budget * 2),
            "roi_formula": "(Benefits - Costs) / Costs * 100",
            "payback_formula": "Initial Investment / Annual Benefits",
            "payback_benchmark": "Target: 12-18 months",
        },
        "implementation_plan": {
            "timeline_months": timeline_months,
            "phases": business_case_phases(case_type, timeline_months),
            "milestones": business_case_milestones(timeline_months),
        },
        "risk_mitigation": risks,
        "measurement_plan": {
            "frequency": "Weekly" if case_type == "pilot" else "Monthly",
            "key_checkpoints": ["Month 1", f"Month {math.ceil(timeline_months / 2)}", f"Month {timeline_months}"],
            "custom_metrics": success_metrics,
        },
        "next_steps": NEXT_STEPS[case_type],
    }


def _millions(value: Decimal) -> str:
    return f"${(value / 1_000_000).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}M"


def _thousands(value: Decimal) -> str:
    return f"${(value / 1_000).quantize(Decimal(1), rounding=ROUND_HALF_UP)}K"


SIMPLE_NEXT_STEPS = [
    {"step": 1, "title": "Review ICP Analysis", "owner": "Sales Leadership", "timeline": "Week 1",
     "description": "Validate ideal customer profile findings with sales team"},
    {"step": 2, "title": "Align on Buyer Personas", "owner": "Revenue Operations", "timeline": "Week 1-2",
     "description": "Ensure all revenue team members understand target personas"},
    {"step": 3, "title": "Implement Qualification Framework", "owner": "Sales Operations", "timeline": "Week 2-3",
     "description": "Deploy ICP-based lead scoring and qualification criteria"},
    {"step": 4, "title": "Update Messaging & Content", "owner": "Marketing", "timeline": "Week 3-4",
     "description": "Align sales materials with ICP pain points and language"},
    {"step": 5, "title": "Measure & Iterate", "owner": "Revenue Operations", "timeline": "Ongoing",
     "description": "Track conversion metrics and refine ICP based on results"},
]  # fmt: skip


def business_case_simple(
    *, cost: dict[str, Any], product: dict[str, str] | None, icp: dict[str, Any] | None
) -> dict[str, Any]:
    """The one-pager from a cost analysis: total, lost revenue, delay, deals, prospecting and messaging costs."""
    total, lost = as_decimal(cost["total_cost"]), as_decimal(cost["lost_revenue"])
    prospecting, messaging = as_decimal(cost["inefficient_prospecting"]), as_decimal(cost["poor_messaging"])
    return {
        "title": "Revenue Intelligence Investment Case",
        "executive_summary": {
            "total_cost_of_delay": to_cents(total),
            "total_cost_formatted": _millions(total),
            "top_findings": [
                f"{_millions(lost)} in lost revenue opportunity",
                f"{cost['delay_months']} months average sales cycle delay",
                f"{cost['potential_deals']} qualified opportunities at risk",
            ],
        },
        "metrics": {
            "inefficient_prospecting": {"label": "Inefficient Prospecting Cost", "value": to_cents(prospecting),
                                        "formatted": _thousands(prospecting),
                                        "impact": "Sales team wasting time on poor-fit prospects"},
            "poor_messaging": {"label": "Poor Messaging Cost", "value": to_cents(messaging),
                               "formatted": _thousands(messaging),
                               "impact": "Messages failing to resonate with buyers"},
            "lost_revenue": {"label": "Lost Revenue", "value": to_cents(lost), "formatted": _millions(lost),
                             "impact": "Deals lost or delayed due to poor targeting"},
        },
        "recommendation": {
            "title": "Implement ICP-Driven Revenue Intelligence",
            "description": "Deploy systematic buyer intelligence framework to reduce qualification time "
                           "and improve conversion rates",
            "expected_impact": ["Reduce sales cycle by 30-40%", "Improve qualification accuracy by 50%+",
                                "Increase win rates through better targeting"],
        },
        "next_steps": SIMPLE_NEXT_STEPS,
        "icp_context": {
            "target_segment": icp.get("target_market") or "Not specified",
            "key_pain_points": list(icp.get("pain_points") or [])[:3],
            "buying_triggers": list(icp.get("buying_triggers") or [])[:3],
        } if icp else None,
        "product_context": {
            "name": product.get("product_name") or "Not specified",
            "business_model": product.get("business_model") or "Not specified",
        } if product else None,
    }  # fmt: skip
