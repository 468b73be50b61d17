"""The assessment report: scores, where they come from, challenges and what to do next."""

from typing import Any

from assessments import selectors as assessment_selectors
from exports.content import BarChart, Block, Column, Facts, Paragraph, Section, Table
from exports.documents import record_document_type
from platform_core.models import Customer

# The quiz's 1-4 scale (domain.md §3.1).
ANSWER_LABELS = {1: "Definitely No", 2: "Not Sure", 3: "Believe So", 4: "Definitely Yes"}


def _completed(customer: Customer) -> Any:
    return assessment_selectors.assessment_session_list_for_customer(customer=customer).filter(
        overall_score__isnull=False
    )


def _session(customer: Customer, session_id: str) -> Any:
    return _completed(customer).get(session_id=session_id)


def sections(session: Any) -> list[Section]:
    results = assessment_selectors.assessment_results_payload(session)
    scores = Section(
        "Scores",
        [
            Facts(
                [
                    ("Overall revenue readiness", results["overall_score"], "score"),
                    ("Customer understanding (buyer score)", results["buyer_score"], "score"),
                    ("Technical value translation (tech score)", results["tech_score"], "score"),
                    ("Qualification", results["qualification"], "text"),
                    ("Percentile", results["percentile"], "number"),
                    ("Professional level", results["professional_level"], "text"),
                    ("Top challenge", results["top_challenge"], "text"),
                ]
            ),
            BarChart(
                "Score by area",
                ["Overall Revenue Readiness", "Customer Understanding", "Technical Value Translation"],
                [float(results["overall_score"]), float(results["buyer_score"]), float(results["tech_score"])],
                "score",
            ),
        ],
    )
    product = Section(
        "Product",
        [
            Facts(
                [
                    ("Product", session.product_name, "text"),
                    ("Description", session.product_description, "text"),
                    ("Business model", session.business_model, "text"),
                    ("Key features", session.key_features, "text"),
                    ("Ideal customer", session.ideal_customer_description, "text"),
                    ("Distinguishing feature", session.distinguishing_feature, "text"),
                ]
            )
        ],
    )
    challenges = results["challenges"]
    challenge_blocks: list[Block] = (
        [
            Table(
                [Column("Challenge"), Column("Severity"), Column("What it means")],
                [[c["title"], c["severity"], c["description"]] for c in challenges],
            )
        ]
        if challenges
        else [Paragraph("No major challenges stand out in this assessment.")]
    )
    recommendations = results["recommendations"]
    recommendation_blocks: list[Block] = (
        [Table([Column("Next step"), Column("Why")], [[r["title"], r["reason"]] for r in recommendations])]
        if recommendations
        else [Paragraph("Keep building on your strengths; no tool stands out as urgent.")]
    )
    answers = Section(
        "Answers",
        [
            Table(
                [Column("Question"), Column("Answer", "number"), Column("Meaning")],
                [[qid.upper(), value, ANSWER_LABELS.get(value, "")] for qid, value in session.responses.items()],
            )
        ],
    )
    return [
        scores,
        *([product] if session.product_name else []),
        Section("Challenges", challenge_blocks),
        Section("Recommendations", recommendation_blocks),
        answers,
    ]


def latest(customer: Customer) -> Any:
    return _completed(customer).order_by("-completed_at", "-created_at").first()


ASSESSMENT_REPORT = record_document_type(
    name="assessment-report",
    title="Assessment Report",
    description="Revenue readiness scores, challenges, recommendations and answers of an assessment.",
    label="assessment",
    fetch=_session,
    latest=latest,
    sections=sections,
    subtitle=lambda session, customer: f"{session.company_name or customer.name} · revenue readiness assessment",
    key=lambda session: session.session_id,
    parse=str,
)
