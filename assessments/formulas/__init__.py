"""Every number the assessments tools compute, as pure functions (no database, no Django), one
module per domain; this package re-exports their public names (`formulas.cost_of_inaction`).

Sources: domain.md §3 (assessment: `scoring`, `results`), §5 (cost of inaction: `costs`), §6
(business case: `business_cases`), §13 (progress: `progress`); `numbers` rounds. Where the old
product had a bug the intended behaviour is built and the test says so.
"""

from assessments.formulas.business_cases import (
    BUSINESS_CASE_TEMPLATES,
    INDUSTRY_MULTIPLIERS,
    ROI_MULTIPLIERS,
    business_case,
    business_case_expected_roi,
    business_case_milestones,
    business_case_phases,
    business_case_simple,
)
from assessments.formulas.costs import (
    COMPETITIVE_FACTOR,
    COST_CATEGORIES,
    COST_INPUT_RANGES,
    PRODUCTIVITY_FACTOR,
    ROI_SCENARIOS,
    SCENARIO_MULTIPLIERS,
    cost_of_inaction,
    cost_total,
)
from assessments.formulas.numbers import floor_int, round_half_up, to_cents
from assessments.formulas.progress import (
    MILESTONE_IDS,
    MILESTONES,
    Milestone,
    engagement_score,
    milestones_triggered,
    next_milestone,
    progress_completion_percentage,
    progress_estimated_days,
)
from assessments.formulas.results import (
    assessment_challenges,
    assessment_recommendations,
    assessment_results,
    percentile_rank,
    professional_level,
    tool_unlocks,
    top_challenge,
)
from assessments.formulas.scoring import (
    QUESTION_IDS,
    QUESTIONS,
    RESPONSE_MAX,
    RESPONSE_MIN,
    AssessmentScores,
    Question,
    assessment_scores,
    qualification_for,
)

__all__ = [
    "BUSINESS_CASE_TEMPLATES",
    "COMPETITIVE_FACTOR",
    "COST_CATEGORIES",
    "COST_INPUT_RANGES",
    "INDUSTRY_MULTIPLIERS",
    "MILESTONES",
    "MILESTONE_IDS",
    "PRODUCTIVITY_FACTOR",
    "QUESTIONS",
    "QUESTION_IDS",
    "RESPONSE_MAX",
    "RESPONSE_MIN",
    "ROI_MULTIPLIERS",
    "ROI_SCENARIOS",
    "SCENARIO_MULTIPLIERS",
    "AssessmentScores",
    "Milestone",
    "Question",
    "assessment_challenges",
    "assessment_recommendations",
    "assessment_results",
    "assessment_scores",
    "business_case",
    "business_case_expected_roi",
    "business_case_milestones",
    "business_case_phases",
    "business_case_simple",
    "cost_of_inaction",
    "cost_total",
    "engagement_score",
    "floor_int",
    "milestones_triggered",
    "next_milestone",
    "percentile_rank",
    "professional_level",
    "progress_completion_percentage",
    "progress_estimated_days",
    "qualification_for",
    "round_half_up",
    "to_cents",
    "tool_unlocks",
    "top_challenge",
]
