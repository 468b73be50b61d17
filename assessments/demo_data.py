"""The demo customer's assessment and tools, made through the services a newcomer's clicks call (seed_demo).

Each record is made only when the demo customer has none of its kind, so a rerun changes nothing.
AI content comes from the AI gateway as in any job: the offline provider in development (no key,
AI_OFFLINE_ALLOWED), the configured provider otherwise.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from assessments import ai_selectors, selectors
from assessments.models import AssessmentSession, ResourceDefinition
from assessments.services.ai_content import ai_job_start
from assessments.services.business_cases import business_case_generate, business_case_save
from assessments.services.costs import cost_calculate, cost_calculation_save
from assessments.services.products import product_create
from assessments.services.sessions import assessment_sessions_link_for_user, assessment_start, assessment_submit
from platform_core.demo import Demo, demo_job_run, demo_seeder_register
from platform_core.models import Job

DEMO_SESSION_ID = "demo-company-assessment"
# Answers 1-4 to q1..q14: strong on the product, weaker on knowing the buyer (a typical founder).
DEMO_RESPONSES = dict(zip([f"q{i}" for i in range(1, 15)], [3, 2, 2, 3, 2, 3, 2, 4, 3, 3, 4, 3, 2, 3], strict=True))
DEMO_TIMINGS = {qid: 9 + 2 * i for i, qid in enumerate(DEMO_RESPONSES)}  # seconds per answer
DEMO_PRODUCT: dict[str, Any] = {
    "product_name": "PipelinePilot",
    "product_description": (
        "Revenue intelligence for B2B SaaS sales teams: scores every open deal from CRM activity, call notes "
        "and buyer engagement, and tells reps which deals need attention this week."
    ),
    "distinguishing_feature": "Deal scores explained in plain language, with the next best action for each deal",
    "business_model": "b2b-subscription",
    "industry": "B2B software",
    "target_market": "Series A-C SaaS companies with 10-100 quota-carrying reps",
    "value_proposition": "Forecast within 5% and lose fewer deals to silence",
    "competitive_advantages": [
        "Explainable scores",
        "Live in one day on HubSpot or Salesforce",
        "Priced per team, not per seat",
    ],
    "revenue_model": "Annual subscription per sales team",
    "pricing_strategy": "From $1,500 a month for 20 reps",
    "market_size": "$4.2B",
    "growth_potential": "high",
}
DEMO_COST_INPUTS = {
    "potential_deals": Decimal(40),
    "average_deal_size": Decimal(36_000),
    "conversion_rate": Decimal("0.22"),
    "delay_months": Decimal(6),
    "current_operating_cost": Decimal(1_200_000),
    "inefficiency_rate": Decimal("0.15"),
    "employee_count": Decimal(25),
    "average_salary": Decimal(95_000),
    "market_share": Decimal("0.05"),
}
DEMO_ICP_INPUT = {
    "industry": "B2B SaaS",
    "company_size": "50-500 employees",
    "current_challenges": ["Forecasts miss by 20% or more", "Reps spend hours updating the CRM"],
    "goals": ["Win rate up 5 points", "Forecast accuracy within 5%"],
}
DEMO_PERSONAS_INPUT = {
    "company_context": (
        "PipelinePilot sells revenue intelligence to SaaS companies with 10-100 account executives; buyers are "
        "sales leaders who own the forecast and revenue operations teams who own the CRM."
    ),
    "industry": "B2B SaaS",
    "target_market": "Series A-C SaaS companies in North America and Europe",
}


def _ai_job(demo: Demo, *, kind: str, task: str, input: dict[str, Any], label: str) -> str:
    job = demo_job_run(ai_job_start(kind=kind, task=task, customer=demo.customer, user=demo.owner, input=input))
    if job.status == Job.Status.SUCCEEDED:
        return f"{label}: generated ({(job.result or {}).get('source', '?')})"
    return f"{label}: not generated now ({job.error_code or job.status}: {job.error}); a worker retries the job"


def _assessment(demo: Demo) -> str:
    session = AssessmentSession.objects.filter(session_id=DEMO_SESSION_ID).first()
    if session is None:
        assessment_start(session_id=DEMO_SESSION_ID, product_info={"product_name": DEMO_PRODUCT["product_name"]})
        session, _ = assessment_submit(
            session_id=DEMO_SESSION_ID,
            responses=DEMO_RESPONSES,
            question_timings=DEMO_TIMINGS,
            user_info={
                "email": demo.owner.email,
                "name": demo.owner.full_name,
                "company": demo.customer.name,
                "role": "Founder & CEO",
            },
            product_info={
                "product_name": DEMO_PRODUCT["product_name"],
                "product_description": DEMO_PRODUCT["product_description"],
                "business_model": DEMO_PRODUCT["business_model"],
                "distinguishing_feature": DEMO_PRODUCT["distinguishing_feature"],
            },
        )
        assert session.calculation_job is not None
        demo_job_run(session.calculation_job)
        made = "made"
    else:
        made = "kept"
    if session.status == AssessmentSession.Status.COMPLETED_AWAITING_SIGNUP:
        assessment_sessions_link_for_user(user=demo.owner)  # as when the owner verified the address
    session.refresh_from_db()
    return f"assessment {session.session_id}: {made}, overall score {session.overall_score}, {session.status}"


@demo_seeder_register("assessments")
def seed(demo: Demo) -> list[str]:
    customer, owner = demo.customer, demo.owner
    lines = [_assessment(demo)]

    if selectors.product_get_primary_for_customer(customer=customer) is None:
        product = product_create(customer=customer, user=owner, data=dict(DEMO_PRODUCT))
        lines.append(f"product {product.product_name}: made")

    if not selectors.cost_calculation_list_for_customer(customer=customer).exists():
        for scenario in ("conservative", "realistic"):  # the calculator tried, then the realistic one saved
            cost_calculate(customer=customer, user=owner, inputs=DEMO_COST_INPUTS, scenario=scenario)
        calculation = cost_calculation_save(
            customer=customer,
            user=owner,
            inputs=DEMO_COST_INPUTS,
            scenario="realistic",
            name="Six months without a revenue process",
            notes="Pipeline from the Q3 board deck.",
        )
        lines.append(f"cost calculation: made, total {calculation.total_cost}")

    if not selectors.business_case_list_for_customer(customer=customer).exists():
        case = business_case_generate(
            customer=customer,
            user=owner,
            case_type="pilot",
            budget=Decimal(50_000),
            timeline_months=6,
            industry="technology",
            company_size="mid-market",
            team_size=25,
            success_metrics=["Win rate up 5 points", "Forecast accuracy within 5%"],
            current_challenges=["Long sales cycles", "Deals lost to no decision"],
        )
        business_case_save(business_case=case, user=owner)
        lines.append(f"business case {case.title!r}: made and saved")

    if not ai_selectors.icp_analysis_list_for_customer(customer=customer).exists():
        lines.append(_ai_job(demo, kind="icp_generation", task="icp_generate", input=DEMO_ICP_INPUT, label="ICP"))

    if not ai_selectors.persona_set_list_for_customer(customer=customer).exists():
        lines.append(
            _ai_job(
                demo,
                kind="persona_generation",
                task="personas_generate",
                input=DEMO_PERSONAS_INPUT,
                label="buyer personas",
            )
        )

    library = ai_selectors.resource_library_for_customer(customer=customer)
    if not any(r["is_generated"] for r in library):
        unlocked = [r for r in library if r["is_unlocked"]]
        if unlocked:
            resource = ResourceDefinition.objects.get(code=unlocked[0]["code"])
            lines.append(
                _ai_job(
                    demo,
                    kind="resource_generation",
                    task="resource_generate",
                    input={"code": resource.code},
                    label=f"resource {resource.code}",
                )
            )

    progress = selectors.progress_get_for_customer(customer=customer)
    lines.append(f"progress {progress['completion_percentage']}% ({progress['completed_milestones']} milestones)")
    return lines
