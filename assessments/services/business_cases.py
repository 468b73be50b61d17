from decimal import Decimal
from typing import Any

from django.db import transaction

from assessments import formulas
from assessments.models import BusinessCase, CostCalculation, ProductDetails
from assessments.services.progress import progress_track
from platform_core.analytics import event_record
from platform_core.exceptions import ApplicationError
from platform_core.models import Customer, User


@transaction.atomic
def business_case_generate(
    *,
    customer: Customer,
    user: User | None,
    case_type: str,
    budget: Decimal,
    timeline_months: int,
    industry: str,
    company_size: str,
    success_metrics: list[str],
    current_challenges: list[str],
    team_size: int | None = None,
) -> BusinessCase:
    content = formulas.business_case(
        case_type=case_type, budget=budget, timeline_months=timeline_months, industry=industry,
        company_size=company_size, customer_name=customer.name, success_metrics=success_metrics,
        current_challenges=current_challenges,
    )  # fmt: skip
    summary = content["executive_summary"]
    case = BusinessCase.objects.create(
        customer=customer, created_by=user, type=case_type, budget=budget, timeline_months=timeline_months,
        title=f"{formulas.BUSINESS_CASE_TEMPLATES[case_type]['name']}: {customer.name}",
        summary=" ".join([summary["challenge"], summary["solution"], *success_metrics, *current_challenges]),
        inputs={"industry": industry, "company_size": company_size, "team_size": team_size,
                "success_metrics": success_metrics, "current_challenges": current_challenges},
        content=content,
    )  # fmt: skip
    progress_track(
        customer=customer, user=user, action="business_case_generated", metadata={"business_case_id": case.pk}
    )
    event_record("tool.used", user=user, customer_id=customer.pk, properties={"tool": "business_case"})
    return case


def _cost_analysis_from(calculation: CostCalculation) -> dict[str, Any]:
    """How a saved calculation fills the one-pager: prospecting waste is the operational inefficiency,
    poor messaging the pipeline lost to competitors."""
    categories = calculation.result["categories"]
    return {
        "total_cost": calculation.total_cost,
        "lost_revenue": categories["lost_revenue"]["value"],
        "delay_months": formulas.round_half_up(calculation.delay_months),
        "potential_deals": formulas.round_half_up(calculation.potential_deals),
        "inefficient_prospecting": categories["operational_inefficiencies"]["value"],
        "poor_messaging": categories["competitive_disadvantage"]["value"],
    }


@transaction.atomic
def business_case_generate_simple(
    *, customer: Customer, user: User | None, cost_analysis: dict[str, Any] | None, icp: dict[str, Any] | None
) -> BusinessCase:
    """The one-pager from the given cost analysis (else the latest saved calculation) and the primary product."""
    calculation = None
    if cost_analysis is None:
        calculation = CostCalculation.objects.filter(customer=customer).order_by("-created_at").first()
        if calculation is None:
            raise ApplicationError(
                "Calculate and save a cost of inaction first, or send costAnalysis.", code="cost_analysis_required",
                details={"costAnalysis": ["required when no calculation is saved"]},
            )  # fmt: skip
        cost_analysis = _cost_analysis_from(calculation)
    product = ProductDetails.objects.filter(customer=customer, is_primary=True).first()
    product_data = {"product_name": product.product_name, "business_model": product.business_model} if product else None
    content = formulas.business_case_simple(cost=cost_analysis, product=product_data, icp=icp)
    case = BusinessCase.objects.create(
        customer=customer, created_by=user, type=BusinessCase.Type.SIMPLE, title=content["title"],
        summary=" ".join(content["executive_summary"]["top_findings"]), content=content,
        inputs={"cost_analysis": {k: str(v) for k, v in cost_analysis.items()}, "icp": icp},
        cost_calculation=calculation,
    )  # fmt: skip
    progress_track(
        customer=customer, user=user, action="business_case_generated", metadata={"business_case_id": case.pk}
    )
    event_record("tool.used", user=user, customer_id=customer.pk, properties={"tool": "business_case"})
    return case


@transaction.atomic
def business_case_save(*, business_case: BusinessCase, user: User | None, title: str | None = None) -> BusinessCase:
    if title:
        business_case.title = title
    business_case.status = BusinessCase.Status.SAVED
    business_case.save(update_fields=["title", "status", "updated_at"])
    progress_track(
        customer=business_case.customer, user=user, action="business_case_saved",
        metadata={"business_case_id": business_case.pk},
    )  # fmt: skip
    return business_case
