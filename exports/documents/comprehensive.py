"""The comprehensive report: the chosen parts (assessment, product, ICP, personas, ratings, cost, business case,
progress) in one file."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from assessments import selectors as assessment_selectors
from exports.content import Column, Document, Facts, Section, Table
from exports.documents import (
    DocumentRequest,
    DocumentType,
    ai_content,
    assessment_report,
    business_case,
    cost_of_inaction,
    document_type_register,
    product_details,
)
from platform_core.exceptions import ApplicationError
from platform_core.models import Customer


def progress_sections(customer: Customer) -> list[Section]:
    progress = assessment_selectors.progress_get_for_customer(customer=customer)
    return [
        Section(
            "Milestones",
            [
                Facts(
                    [
                        ("Completion", progress["completion_percentage"], "percent"),
                        (
                            "Milestones completed",
                            f"{progress['completed_milestones']} of {progress['total_milestones']}",
                            "text",
                        ),
                        ("Estimated days to complete", progress["estimated_days"], "number"),
                        ("Engagement score", progress["engagement_score"], "score"),
                    ]
                ),
                Table(
                    [Column("Milestone"), Column("Weight", "number"), Column("Done"), Column("Completed at")],
                    [
                        [m["name"], m["weight"], "Yes" if m["completed"] else "No", (m["completed_at"] or "")[:10]]
                        for m in progress["milestones"]
                    ],
                ),
            ],
        )
    ]


def _has_progress(customer: Customer) -> bool:
    progress = assessment_selectors.progress_get_for_customer(customer=customer)
    return bool(progress["completed_milestones"] or progress["last_action_at"])


@dataclass(frozen=True)
class Part:
    title: str
    available: Callable[[Customer], bool]
    sections: Callable[[Customer], list[Section]]


PARTS: dict[str, Part] = {
    "assessment": Part(
        "Assessment",
        assessment_report.ASSESSMENT_REPORT.available,
        lambda c: assessment_report.sections(assessment_report.latest(c)),
    ),
    "product": Part(
        "Product",
        product_details.PRODUCT_DETAILS.available,
        lambda c: [product_details.product_section(p) for p in product_details.products(c)[:10]],
    ),
    "icp": Part(
        "ICP",
        ai_content.ICP_ANALYSIS.available,
        lambda c: ai_content.icp_sections(ai_content.icps(c).first()),
    ),
    "personas": Part(
        "Personas",
        ai_content.BUYER_PERSONAS.available,
        lambda c: ai_content.persona_sections(ai_content.persona_sets(c).first()),
    ),
    "company-ratings": Part(
        "Ratings",
        ai_content.COMPANY_RATINGS.available,
        # The ranked table only: each company in detail is the company-ratings document.
        lambda c: list(ai_content.rating_sections(list(ai_content.ratings(c)[: ai_content.RATINGS_MAX]), detail=False)),
    ),
    "cost-of-inaction": Part(
        "Cost of inaction",
        cost_of_inaction.COST_OF_INACTION.available,
        lambda c: cost_of_inaction.sections(cost_of_inaction.latest(c)),
    ),
    "business-case": Part(
        "Business case",
        business_case.BUSINESS_CASE.available,
        lambda c: business_case.sections(business_case.latest(c)),
    ),
    "progress": Part("Progress", _has_progress, progress_sections),
}


def _clean(customer: Customer, params: dict[str, Any]) -> dict[str, Any]:
    chosen = params.get("sections") or [name for name, part in PARTS.items() if part.available(customer)]
    unknown = [name for name in chosen if name not in PARTS]
    if unknown:
        raise ApplicationError(
            "Unknown report sections.", code="validation_error",
            details={"sections": [f"Unknown: {', '.join(unknown)}; choose from {', '.join(PARTS)}."]},
        )  # fmt: skip
    empty = [name for name in chosen if not PARTS[name].available(customer)]
    if empty:
        raise ApplicationError(
            "Some chosen sections have no data yet.", code="validation_error",
            details={"sections": [f"Nothing to report yet for: {', '.join(empty)}."]},
        )  # fmt: skip
    return {"sections": list(dict.fromkeys(chosen))}


def _sections(customer: Customer, chosen: list[str]) -> Iterator[Section]:
    """Part after part, so a part's records are read only when the renderer reaches it."""
    for name in chosen:
        part = PARTS[name]
        for section in part.sections(customer):
            yield Section(f"{part.title}: {section.title}", section.blocks)


def _build(request: DocumentRequest) -> Document:
    chosen = request.params["sections"]
    return Document(
        kind="comprehensive-report", title="Comprehensive Report", customer_name=request.customer.name,
        subtitle=" · ".join(PARTS[name].title for name in chosen), generated_at=timezone.now(),
        sections=_sections(request.customer, chosen), branding=request.branding,
    )  # fmt: skip


COMPREHENSIVE_REPORT = document_type_register(
    DocumentType(
        name="comprehensive-report",
        title="Comprehensive Report",
        description=f"Chosen sections in one document: {', '.join(PARTS)}.",
        build=_build,
        available=lambda customer: any(part.available(customer) for part in PARTS.values()),
        clean_params=_clean,
    )
)
