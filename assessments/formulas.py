"""Every number the assessments tools compute, as pure functions (no database, no Django).

Sources: domain.md §3 (assessment), §5 (cost of inaction), §6 (business case), §13 (progress).
Where the old product had a bug the intended behaviour is built and the test says so.
Arithmetic is Decimal so that .5 boundaries round the way a person computing on paper expects
(half up, like JavaScript's Math.round), never Python's banker's rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


def round_half_up(value: Decimal | float | int) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_cents(value: Decimal) -> float:
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def floor_int(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_FLOOR))


# --- 1. Assessment scoring (domain.md §3.1, §3.2) ---------------------------------------------


@dataclass(frozen=True)
class Question:
    id: str
    category: str  # "buyer" | "tech"
    weight: Decimal
    text: str


QUESTIONS: tuple[Question, ...] = tuple(
    Question(qid, category, Decimal(weight), text)
    for qid, category, weight, text in (
        ("q1", "buyer", "8.57", "I can name the exact three pain points that cost my buyers the most money annually"),
        (
            "q2",
            "buyer",
            "8.57",
            "I know the specific job titles, LinkedIn headlines, and reporting structure of my champions",
        ),
        (
            "q3",
            "buyer",
            "8.57",
            "I can map out the exact 7-step evaluation process my buyers follow, including who signs off at each stage",
        ),
        (
            "q4",
            "buyer",
            "8.57",
            "I have calculated the specific dollar amount my solution saves/earns per customer per quarter",
        ),
        (
            "q5",
            "buyer",
            "8.57",
            "I know the exact internal event or metric threshold that triggers buyers to seek my solution urgently",
        ),
        (
            "q6",
            "buyer",
            "8.57",
            "I can list my top 3 competitors and explain why buyers choose them over me in specific scenarios",
        ),
        (
            "q7",
            "buyer",
            "8.57",
            "I know exactly how my product features map to executive KPIs like CAC, NRR, or operational efficiency",
        ),
        ("q8", "tech", "10", "I can explain my API architecture to a CFO in terms of cost savings and risk reduction"),
        (
            "q9",
            "tech",
            "10",
            "I have a one-page business case that quantifies value without mentioning technology stack",
        ),
        ("q10", "tech", "10", "I can demonstrate my product's value in under 5 minutes using only business metrics"),
        (
            "q11",
            "tech",
            "10",
            "I have 3+ case studies showing specific percentage improvements in revenue, costs, or time",
        ),
        (
            "q12",
            "buyer",
            "8.57",
            "I conduct 5+ customer discovery calls per week and document specific quotes about their problems",
        ),
        (
            "q13",
            "buyer",
            "8.57",
            "I have a documented ICP that includes company size, tech stack, team structure, and budget range",
        ),
        (
            "q14",
            "buyer",
            "8.58",
            "I track time-to-value, feature adoption rate, and expansion revenue for each customer cohort",
        ),
    )
)
QUESTION_IDS: tuple[str, ...] = tuple(q.id for q in QUESTIONS)
RESPONSE_MIN, RESPONSE_MAX = 1, 4


@dataclass(frozen=True)
class AssessmentScores:
    buyer_score: int
    tech_score: int
    overall_score: int
    qualification: str


def qualification_for(overall: int) -> str:
    if overall >= 80:
        return "Qualified"
    if overall >= 60:
        return "Promising"
    if overall >= 40:
        return "Developing"
    return "Early Stage"


def _category_score(responses: dict[str, int], category: str) -> int:
    questions = [q for q in QUESTIONS if q.category == category]
    points = sum((Decimal(responses[q.id]) / RESPONSE_MAX * q.weight for q in questions), Decimal(0))
    return round_half_up(100 * points / sum(q.weight for q in questions))


def assessment_scores(responses: dict[str, int]) -> AssessmentScores:
    """Normalised 0-100 scores: each category is its weighted share of the best possible answers.

    (The old client summed raw weights, so scores reached 126; see tests/assessments/test_formulas.py.)
    """
    buyer = _category_score(responses, "buyer")
    tech = _category_score(responses, "tech")
    overall = round_half_up(Decimal("0.6") * buyer + Decimal("0.4") * tech)
    return AssessmentScores(buyer, tech, overall, qualification_for(overall))


# --- 2. What the calculation job derives from the scores (domain.md §3.2) ----------------------

SLOW_ANSWER_MS = 30_000  # a question that took over 30 s: the founder was unsure
QUICK_ANSWER_MS = 3_000  # under 3 s: answered without reflection


def top_challenge(*, buyer: int, tech: int, qualification: str) -> str:
    if buyer < 50:
        return "Customer Discovery & Buyer Understanding"
    if tech < 50:
        return "Technical Value Translation"
    if qualification == "Developing":
        return "Revenue Execution Fundamentals"
    return "Advanced Revenue Scaling"


def professional_level(overall: int) -> str:
    for threshold, level in (
        (90, "Master"),
        (80, "Advanced"),
        (70, "Proficient"),
        (60, "Developing"),
        (50, "Foundation"),
    ):
        if overall >= threshold:
            return level
    return "Early Stage"


def percentile_rank(*, below: int, equal: int, total: int) -> int:
    """Percent of `total` completed assessments this score beats, ties counting half (`equal` includes this one)."""
    return round_half_up(Decimal(100) * (below + Decimal(equal) / 2) / total) if total else 0


def assessment_challenges(
    *, buyer: int, tech: int, overall: int, timings: dict[str, int], buyer_gap_reported: int | None
) -> list[dict[str, str]]:
    challenges: list[dict[str, str]] = []
    gap = abs(buyer - tech)
    if gap > 15:
        weaker = "buyer understanding" if buyer < tech else "technical value translation"
        challenges.append({
            "id": "buyer_tech_gap", "title": "Buyer-Tech Gap", "severity": "high" if gap > 25 else "medium",
            "description": f"A {gap}-point gap between buyer and tech scores; {weaker} is holding you back.",
        })  # fmt: skip
    if overall < 70:
        challenges.append({
            "id": "foundation", "title": "Revenue Foundation", "severity": "high" if overall < 50 else "medium",
            "description": "Core buyer intelligence and value communication need systematic work.",
        })  # fmt: skip
    slow = sum(1 for ms in timings.values() if ms > SLOW_ANSWER_MS)
    if slow >= 2:
        challenges.append({
            "id": "uncertain_answers", "title": "Knowledge Gaps", "severity": "high" if slow >= 4 else "medium",
            "description": f"{slow} questions took over {SLOW_ANSWER_MS // 1000} seconds to answer.",
        })  # fmt: skip
    if buyer_gap_reported is not None and buyer_gap_reported > 60:
        challenges.append({
            "id": "icp_gap", "title": "ICP Definition Gap", "severity": "high",
            "description": "Your ideal customer profile is far from what your buyers show.",
        })  # fmt: skip
    quick = sum(1 for ms in timings.values() if ms < QUICK_ANSWER_MS)
    if quick > 8 and overall < 70:
        challenges.append({
            "id": "confidence_competence_gap", "title": "Confidence-Competence Gap", "severity": "medium",
            "description": f"{quick} answers took under {QUICK_ANSWER_MS // 1000} s, yet the score is {overall}.",
        })  # fmt: skip
    return challenges


def assessment_recommendations(*, buyer: int, tech: int, overall: int) -> list[dict[str, str]]:
    recommendations = []
    buyer_gap = max(70 - buyer, 0)
    if buyer < 60:
        recommendations.append(
            {"tool": "icp_analysis", "title": "Build your ICP", "reason": f"Buyer score {buyer} < 60"}
        )
    if tech < 60:
        recommendations.append(
            {"tool": "cost_calculator", "title": "Quantify the cost of inaction", "reason": f"Tech score {tech} < 60"}
        )
    if overall > 75:
        recommendations.append(
            {"tool": "business_case", "title": "Build an executive business case", "reason": f"Overall {overall} > 75"}
        )
    if buyer_gap > 50:
        recommendations.append(
            {"tool": "buyer_personas", "title": "Map your buyer personas", "reason": f"Buyer gap {buyer_gap} > 50"}
        )
    return recommendations


def tool_unlocks(*, buyer: int, tech: int, overall: int) -> dict[str, bool]:
    return {
        "can_generate_icp": buyer >= 40,
        "can_build_business_case": tech >= 40,
        "can_access_advanced_features": overall >= 60,
    }


def assessment_results(
    *, scores: AssessmentScores, percentile: int, timings: dict[str, int], buyer_gap_reported: int | None
) -> dict[str, Any]:
    """Everything the results page shows besides the scores themselves."""
    buyer, tech, overall = scores.buyer_score, scores.tech_score, scores.overall_score
    return {
        "percentile": percentile,
        "top_challenge": top_challenge(buyer=buyer, tech=tech, qualification=scores.qualification),
        "professional_level": professional_level(overall),
        "buyer_gap": max(70 - buyer, 0),
        "challenges": assessment_challenges(
            buyer=buyer, tech=tech, overall=overall, timings=timings, buyer_gap_reported=buyer_gap_reported
        ),
        "recommendations": assessment_recommendations(buyer=buyer, tech=tech, overall=overall),
        "tool_unlocks": tool_unlocks(buyer=buyer, tech=tech, overall=overall),
    }


# --- 3. Cost of inaction (domain.md §5) ---------------------------------------------------------

SCENARIO_MULTIPLIERS = {"conservative": Decimal("0.8"), "realistic": Decimal("1.0"), "aggressive": Decimal("1.3")}
# The old /calculate used 0.08 and /calculate-ai 0.1 for the same thing; one constant now (0.08,
# the one the visible calculator showed), used by every caller of cost_of_inaction().
COMPETITIVE_FACTOR = Decimal("0.08")
PRODUCTIVITY_FACTOR = Decimal("0.05")
ROI_SCENARIOS = {  # name: (fixed investment, share of the cost of inaction recovered)
    "conservative": (Decimal(25_000), Decimal("0.6")),
    "realistic": (Decimal(50_000), Decimal("0.8")),
    "aggressive": (Decimal(100_000), Decimal("1.0")),
}
COST_INPUT_RANGES: dict[str, tuple[Decimal, Decimal]] = {
    "potential_deals": (Decimal(0), Decimal(10_000)),
    "average_deal_size": (Decimal(0), Decimal(10_000_000)),
    "conversion_rate": (Decimal(0), Decimal(1)),
    "delay_months": (Decimal(0), Decimal(24)),
    "current_operating_cost": (Decimal(0), Decimal(100_000_000)),
    "inefficiency_rate": (Decimal(0), Decimal(1)),
    "employee_count": (Decimal(1), Decimal(100_000)),
    "average_salary": (Decimal(0), Decimal(1_000_000)),
    "market_share": (Decimal(0), Decimal(1)),
}
COST_CATEGORIES = {
    "lost_revenue": (
        "potentialDeals * averageDealSize * conversionRate * (delayMonths/12) * multiplier",
        "Revenue from deals that close later (or never) while the problem persists",
    ),
    "operational_inefficiencies": (
        "currentOperatingCost * inefficiencyRate * (delayMonths/12) * multiplier",
        "Operating spend wasted on inefficient processes",
    ),
    "competitive_disadvantage": (
        "marketShare * potentialDeals * averageDealSize * 0.08 * (delayMonths/12) * multiplier",
        "Pipeline lost to competitors who move first",
    ),
    "productivity_losses": (
        "employeeCount * averageSalary * 0.05 * (delayMonths/12) * multiplier",
        "Team time lost to manual work and rework",
    ),
}


def _d(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def cost_total(inputs: dict[str, Any], scenario: str) -> Decimal:
    """The unrounded cost of inaction for one scenario (sum of the four categories)."""
    return sum(_cost_categories(inputs, scenario).values(), Decimal(0))


def _cost_categories(inputs: dict[str, Any], scenario: str) -> dict[str, Decimal]:
    v = {name: _d(inputs[name]) for name in COST_INPUT_RANGES}
    m = SCENARIO_MULTIPLIERS[scenario]
    t = v["delay_months"] / 12
    pipeline = v["potential_deals"] * v["average_deal_size"]
    return {
        "lost_revenue": pipeline * v["conversion_rate"] * t * m,
        "operational_inefficiencies": v["current_operating_cost"] * v["inefficiency_rate"] * t * m,
        "competitive_disadvantage": v["market_share"] * pipeline * COMPETITIVE_FACTOR * t * m,
        "productivity_losses": v["employee_count"] * v["average_salary"] * PRODUCTIVITY_FACTOR * t * m,
    }


def _percent(part: Decimal, whole: Decimal) -> float:
    return to_cents(part / whole * 100) if whole else 0.0


def cost_of_inaction(inputs: dict[str, Any], scenario: str = "realistic") -> dict[str, Any]:
    """Money to cents, percentages, ROI and payback months to 2 decimals (payback None when nothing is lost)."""
    categories = _cost_categories(inputs, scenario)
    total = sum(categories.values(), Decimal(0))
    roi = {}
    for name, (investment, share) in ROI_SCENARIOS.items():
        benefits = total * share
        roi[name] = {
            "investment": float(investment),
            "benefits": to_cents(benefits),
            "roi": to_cents((benefits - investment) / investment * 100),
            "payback_months": to_cents(investment / (benefits / 12)) if benefits else None,
        }
    return {
        "scenario": scenario,
        "multiplier": float(SCENARIO_MULTIPLIERS[scenario]),
        "summary": {
            "total_cost": to_cents(total),
            "monthly_cost": to_cents(total / 12),
            "daily_cost": to_cents(total / 365),
        },
        "categories": {
            name: {
                "formula": COST_CATEGORIES[name][0],
                "value": to_cents(value),
                "description": COST_CATEGORIES[name][1],
                "percentage": _percent(value, total),
            }
            for name, value in categories.items()
        },
        "roi_scenarios": roi,
    }  # fmt: skip


# --- 4. Business case (domain.md §6) ------------------------------------------------------------

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
    budget = _d(budget)
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
    total, lost = _d(cost["total_cost"]), _d(cost["lost_revenue"])
    prospecting, messaging = _d(cost["inefficient_prospecting"]), _d(cost["poor_messaging"])
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


# --- 5. Progress and milestones (domain.md §13) -------------------------------------------------


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
