"""Assessment scoring (domain.md §3.1, §3.2): the 14 questions, their weights, the 0-100 scores."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from assessments.formulas.numbers import round_half_up


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
