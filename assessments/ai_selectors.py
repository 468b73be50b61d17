"""Reads of AI-generated content, always scoped to the caller's customer."""

from __future__ import annotations

import time
from typing import Any

from django.db.models import QuerySet

from assessments.models import (
    AssessmentInsight,
    AssessmentSession,
    CompanyRating,
    GeneratedResource,
    IcpAnalysis,
    PersonaSet,
    ResourceDefinition,
)
from assessments.selectors import progress_get_for_customer
from platform_core.models import Customer


def icp_analysis_list_for_customer(*, customer: Customer) -> QuerySet[IcpAnalysis]:
    return IcpAnalysis.objects.filter(customer=customer)


def persona_set_list_for_customer(*, customer: Customer) -> QuerySet[PersonaSet]:
    return PersonaSet.objects.filter(customer=customer)


def company_rating_list_for_customer(*, customer: Customer) -> QuerySet[CompanyRating]:
    return CompanyRating.objects.filter(customer=customer)


def assessment_insight_list(*, session: AssessmentSession) -> QuerySet[AssessmentInsight]:
    return AssessmentInsight.objects.filter(session=session)


RESOURCE_LIBRARY_FIELDS = (
    "code",
    "asset_number",
    "title",
    "description",
    "category",
    "tier",
    "unlock_milestone",
    "unlock_threshold",
    "consulting_equivalent",
)


# The asset catalog is the same for every customer and changes only by migration or admin: each process
# keeps it for a minute instead of reading 38 rows per request (a fifth of GET /resources/, issue 12).
# Saving or deleting a definition drops this process's copy at once; other processes follow within the TTL.
RESOURCE_CATALOG_TTL_SECONDS = 60.0
_catalog: tuple[float, list[dict[str, Any]]] | None = None


def resource_catalog() -> list[dict[str, Any]]:
    """Every asset definition as plain rows (pk and RESOURCE_LIBRARY_FIELDS), in display order."""
    global _catalog
    now = time.monotonic()
    if _catalog is None or now - _catalog[0] > RESOURCE_CATALOG_TTL_SECONDS:
        _catalog = (now, list(ResourceDefinition.objects.values("pk", *RESOURCE_LIBRARY_FIELDS)))
    return _catalog[1]


def resource_catalog_forget(**_: Any) -> None:
    global _catalog
    _catalog = None


def resource_library_for_customer(*, customer: Customer, tier: str | None = None) -> list[dict[str, Any]]:
    """Every asset with its unlock state: unlocked once the customer's progress reaches its threshold."""
    completion = progress_get_for_customer(customer=customer)["completion_percentage"]
    generated = set(GeneratedResource.objects.filter(customer=customer).values_list("resource_id", flat=True))
    return [
        {
            **{name: d[name] for name in RESOURCE_LIBRARY_FIELDS},
            "is_unlocked": completion >= d["unlock_threshold"],
            "is_generated": d["pk"] in generated,
        }
        for d in resource_catalog()
        if not tier or d["tier"] == tier
    ]


def resource_unlocked_for_customer(*, customer: Customer, resource: ResourceDefinition) -> bool:
    return progress_get_for_customer(customer=customer)["completion_percentage"] >= resource.unlock_threshold


def generated_resource_latest_for_customer(*, customer: Customer, code: str) -> GeneratedResource:
    """The newest generated copy of the asset; DoesNotExist when there is none (404)."""
    return (
        GeneratedResource.objects.filter(customer=customer, resource__code=code)
        .select_related("resource")
        .latest("created_at")
    )
