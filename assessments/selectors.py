"""Reads, always scoped to a customer (another customer's object → DoesNotExist → 404).

Other apps (exports) read assessments only through these functions.
"""

from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F, QuerySet
from django.utils import timezone

from assessments import cache as assessment_cache
from assessments import formulas
from assessments.models import (
    AssessmentSession,
    BusinessCase,
    CostCalculation,
    MilestoneCompletion,
    ProductDetails,
    ProgressAction,
)
from assessments.models.search import SEARCH_CONFIG
from platform_core.exceptions import ApplicationError
from platform_core.models import Customer, Job

# --- Assessment sessions -----------------------------------------------------------------------


def assessment_session_list_for_customer(*, customer: Customer) -> QuerySet[AssessmentSession]:
    return AssessmentSession.objects.filter(customer=customer).order_by("-created_at")


def assessment_session_get_for_customer(*, customer: Customer, session_id: str) -> AssessmentSession:
    return assessment_session_list_for_customer(customer=customer).get(session_id=session_id)


def assessment_results_payload(session: AssessmentSession) -> dict[str, Any]:
    results = session.results or {}
    return {
        "session_id": session.session_id,
        "status": session.status,
        "company_name": session.company_name,
        "product_name": session.product_name,
        "buyer_score": session.buyer_score,
        "tech_score": session.tech_score,
        "overall_score": session.overall_score,
        "qualification": session.qualification,
        "calculation_status": session.calculation_status,
        "job_id": str(session.calculation_job_id) if session.calculation_job_id else None,
        "percentile": session.percentile,
        "top_challenge": session.top_challenge or None,
        "professional_level": session.professional_level or None,
        "buyer_gap": results.get("buyer_gap"),
        "challenges": results.get("challenges", []),
        "recommendations": results.get("recommendations", []),
        "tool_unlocks": results.get("tool_unlocks"),
        "completed_at": session.completed_at.isoformat() if session.completed_at else None,
        "calculated_at": session.calculated_at.isoformat() if session.calculated_at else None,
    }


def assessment_results_get(*, session_id: str) -> dict[str, Any]:
    """The public results of a completed session (whoever holds its id), cached."""
    key = assessment_cache.assessment_results_key(session_id)
    payload = assessment_cache.cache.get(key)
    if payload is None:
        session = AssessmentSession.objects.filter(session_id=session_id).first()
        if session is None:
            raise ApplicationError("Assessment not found.", code="assessment_not_found", status_code=404)
        if session.overall_score is None:
            raise ApplicationError(
                "This assessment has not been submitted yet.", code="assessment_not_completed", status_code=409
            )
        payload = assessment_results_payload(session)
        assessment_cache.cache.set(key, payload, assessment_cache.TTL_SECONDS)
    if payload["calculation_status"] == "pending" and payload["job_id"]:
        # The job's end is platform_core's to record: read it live, so a failed job never looks pending.
        job_status = Job.objects.filter(pk=payload["job_id"]).values_list("status", flat=True).first()
        if job_status in (Job.Status.FAILED, Job.Status.CANCELLED):
            payload = {**payload, "calculation_status": "failed"}
    return payload


# --- Products ----------------------------------------------------------------------------------


def product_list_for_customer(*, customer: Customer) -> QuerySet[ProductDetails]:
    return ProductDetails.objects.filter(customer=customer).order_by("-is_primary", "-created_at")


def product_get_for_customer(*, customer: Customer, product_id: int) -> ProductDetails:
    return product_list_for_customer(customer=customer).get(pk=product_id)


def product_get_primary_for_customer(*, customer: Customer) -> ProductDetails | None:
    return product_list_for_customer(customer=customer).filter(is_primary=True).first()


# --- Cost of inaction --------------------------------------------------------------------------


def cost_calculation_list_for_customer(*, customer: Customer) -> QuerySet[CostCalculation]:
    return CostCalculation.objects.filter(customer=customer).order_by("-created_at")


def cost_calculation_get_for_customer(*, customer: Customer, calculation_id: int) -> CostCalculation:
    return cost_calculation_list_for_customer(customer=customer).get(pk=calculation_id)


# --- Business cases ----------------------------------------------------------------------------


def business_case_list_for_customer(*, customer: Customer) -> QuerySet[BusinessCase]:
    return BusinessCase.objects.filter(customer=customer).order_by("-created_at")


def business_case_get_for_customer(*, customer: Customer, business_case_id: int) -> BusinessCase:
    return business_case_list_for_customer(customer=customer).get(pk=business_case_id)


def business_case_templates(*, case_type: str | None = None) -> list[dict[str, Any]]:
    def build() -> list[dict[str, Any]]:
        return [
            {"type": key, **template}
            for key, template in formulas.BUSINESS_CASE_TEMPLATES.items()
            if case_type in (None, key)
        ]

    key = assessment_cache.business_case_templates_key(case_type)
    return assessment_cache.cached(key, build, ttl=assessment_cache.TEMPLATES_TTL_SECONDS)


# --- Progress ----------------------------------------------------------------------------------


def progress_get_for_customer(*, customer: Customer) -> dict[str, Any]:
    """Milestones, completion %, estimated days, next milestone and engagement score (cached)."""

    def build() -> dict[str, Any]:
        done = dict(MilestoneCompletion.objects.filter(customer=customer).values_list("milestone", "completed_at"))
        completed = set(done)
        percentage = formulas.progress_completion_percentage(completed)
        last = (
            ProgressAction.objects.filter(customer=customer)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        days = (timezone.now() - last).total_seconds() / 86400 if last else None
        upcoming = formulas.next_milestone(completed)
        return {
            "completion_percentage": percentage,
            "completed_milestones": len(completed),
            "total_milestones": len(formulas.MILESTONES),
            "estimated_days": formulas.progress_estimated_days(percentage),
            "engagement_score": formulas.engagement_score(
                percentage=percentage, completed_count=len(completed), days_since_last_action=days
            ),
            "next_milestone": upcoming.id if upcoming else None,
            "last_action_at": last.isoformat() if last else None,
            "milestones": [
                {
                    "id": m.id,
                    "name": m.name,
                    "description": m.description,
                    "weight": m.weight,
                    "triggers": list(m.triggers),
                    "completed": m.id in completed,
                    "completed_at": done[m.id].isoformat() if m.id in done else None,
                }
                for m in formulas.MILESTONES
            ],
        }

    return assessment_cache.cached(assessment_cache.progress_key(customer.pk), build)


# --- Full-text search over the customer's saved artifacts --------------------------------------

SEARCHABLE: list[tuple[str, Any, str, str]] = [  # (type, model, title field, body field)
    ("product", ProductDetails, "product_name", "product_description"),
    ("cost_calculation", CostCalculation, "name", "notes"),
    ("business_case", BusinessCase, "title", "summary"),
]


def artifact_search_queryset(*, model: Any, customer: Customer, query: SearchQuery) -> QuerySet[Any]:
    """The customer's rows of one searchable model matching `query` (served by its GIN index)."""
    return model.objects.filter(customer=customer, search_vector=query)


def search_query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def search_for_customer(*, customer: Customer, query: str, limit: int = 50) -> list[dict[str, Any]]:
    """Matches across products, cost calculations and business cases, best first."""
    ts_query = search_query(query)
    hits: list[dict[str, Any]] = []
    for kind, model, title_field, body_field in SEARCHABLE:
        rows = (
            artifact_search_queryset(model=model, customer=customer, query=ts_query)
            .annotate(
                rank=SearchRank(F("search_vector"), ts_query),
                snippet=SearchHeadline(body_field, ts_query, config=SEARCH_CONFIG, max_words=30, min_words=10),
            )
            .order_by("-rank")
            .values("pk", title_field, "snippet", "rank", "created_at")[:limit]
        )
        hits.extend(
            {
                "type": kind,
                "id": row["pk"],
                "title": row[title_field] or f"{kind} {row['pk']}",
                "snippet": row["snippet"],
                "rank": round(row["rank"], 4),
                "created_at": row["created_at"].isoformat(),
            }
            for row in rows
        )
    hits.sort(key=lambda hit: hit["rank"], reverse=True)
    return hits[:limit]
