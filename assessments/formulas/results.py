"""What the calculation job derives from the scores (domain.md §3.2): challenge, level, percentile,
challenges, recommendations and the tools they unlock."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from assessments.formulas.numbers import round_half_up
from assessments.formulas.scoring import AssessmentScores

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
