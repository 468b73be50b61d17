"""AI jobs: starting them (tier quota, budget, 202) and running them (prompt, gateway, validation
with one repair attempt, stored result). Every result dict says its "source" (provider or "offline")."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

from django.db import transaction

from assessments import ai_schemas as schemas
from assessments.models import (
    AssessmentInsight,
    AssessmentSession,
    CompanyRating,
    GeneratedResource,
    IcpAnalysis,
    PersonaSet,
    ProductDetails,
    ResourceDefinition,
)
from assessments.services.progress import progress_track
from integrations.ai.gateway import ai_complete, cache_forget
from integrations.ai.quotas import ai_quota_consume
from integrations.ai.services import ai_budget_check
from integrations.ai.types import AIRequest
from integrations.airtable.outbox import airtable_change_enqueue
from integrations.research.services import company_evidence
from platform_core.analytics import event_record
from platform_core.exceptions import ApplicationError
from platform_core.models import Customer, Job, User
from platform_core.services.jobs import job_create, job_progress

TASKS = "assessments.ai_tasks"
FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


@dataclass
class Generated:
    content: dict[str, Any]
    source: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: Decimal = Decimal(0)

    def add(self, response: Any) -> None:
        self.source, self.model = response.source, response.model
        self.input_tokens += response.input_tokens
        self.output_tokens += response.output_tokens
        self.cost_usd += response.cost_usd

    @property
    def meta(self) -> dict[str, Any]:
        return {
            "source": self.source, "model": self.model, "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens, "cost_usd": self.cost_usd,
        }  # fmt: skip


# --- Starting a job -----------------------------------------------------------------------------


def ai_job_start(
    *, kind: str, task: str, customer: Customer | None, user: User | None, input: dict[str, Any], client_ip: str = ""
) -> Job:
    """Refuse when the budget is spent or the tier quota is used up; else create the job (queue `ai`)."""
    ai_budget_check(customer_id=customer.pk if customer else None)
    ai_quota_consume(customer=customer, client_ip=client_ip)
    return job_create(kind=kind, task_name=f"{TASKS}.{task}", customer=customer, user=user, input=input)


# --- Calling the model --------------------------------------------------------------------------


def _parse(text: str, validate: Any) -> tuple[dict[str, Any], list[str]]:
    try:
        data = json.loads(FENCE.sub("", text.strip()))
    except ValueError:
        return {}, ["the answer is not valid JSON"]
    if not isinstance(data, dict):
        return {}, ["the answer must be a JSON object"]
    return validate(data)


def ai_json_generate(
    *, job: Job | None, operation: str, system: str, prompt: str, context: dict[str, Any], validate: Any,
    max_tokens: int, temperature: float = 0.7,
) -> Generated:  # fmt: skip
    """Ask the model; an answer that fails validation gets one repair request, then the job fails."""
    customer_id, user_id = (job.customer_id, job.user_id) if job else (None, None)
    request = AIRequest(
        operation=operation, system=system, messages=[{"role": "user", "content": prompt}], max_tokens=max_tokens,
        temperature=temperature, context=context, customer_id=customer_id, user_id=user_id,
    )  # fmt: skip
    response = ai_complete(request)
    generated = Generated(content={}, source=response.source, model=response.model)
    generated.add(response)
    content, errors = _parse(response.text, validate)
    if errors:
        cache_forget(request)
        repair = AIRequest(
            operation=operation, system=system, max_tokens=max_tokens, temperature=0.2, context=context,
            use_cache=False, messages=[
                {"role": "user", "content": prompt},
                {"role": "assistant", "content": response.text[:8000]},
                {"role": "user", "content": "That answer is invalid: " + "; ".join(errors)
                 + ". Reply with the corrected JSON object only."},
            ], customer_id=customer_id, user_id=user_id,
        )  # fmt: skip
        response = ai_complete(repair)
        generated.add(response)
        content, errors = _parse(response.text, validate)
        if errors:
            raise ApplicationError(
                "The AI answer was invalid, also after one repair attempt: " + "; ".join(errors[:5]),
                code="ai_output_invalid", status_code=502, details={"errors": errors},
            )  # fmt: skip
    event_record(
        "ai.generation",
        user_id=user_id,
        customer_id=customer_id,
        properties={"operation": operation, "value": float(generated.cost_usd)},
    )
    generated.content = content
    return generated


def _progress(job: Job, progress: int, message: str) -> None:
    job_progress(job=job, progress=progress, message=message)


def _assets_changed(customer: Customer) -> None:
    """The customer's latest ICP/personas changed: queue its Customer Assets row (if Airtable syncs it)."""
    from assessments.airtable_sync import customer_assets_values

    airtable_change_enqueue(
        customer=customer, entity="customer_assets", key=str(customer.pk),
        fields=lambda: customer_assets_values(customer),
    )  # fmt: skip


# --- ICP ----------------------------------------------------------------------------------------


def icp_generate(*, job: Job) -> dict[str, Any]:
    assert job.customer is not None
    inputs = dict(job.input)
    if not inputs.get("product_info"):
        product = ProductDetails.objects.filter(customer=job.customer, is_primary=True).first()
        if product is None:
            raise ApplicationError("Add your product details first.", code="product_details_missing")
        inputs["product_info"] = {
            "name": product.product_name, "description": product.product_description,
            "distinguishing_feature": product.distinguishing_feature, "business_model": product.business_model,
        }  # fmt: skip
    _progress(job, 10, "Building the prompt")
    generated = ai_json_generate(
        job=job, operation="icp", system=schemas.ICP_SYSTEM, prompt=schemas.icp_prompt(inputs), context=inputs,
        validate=schemas.icp_validate, max_tokens=2000,
    )  # fmt: skip
    _progress(job, 92, "Saving")
    with transaction.atomic():
        icp = IcpAnalysis.objects.create(
            customer=job.customer, created_by=job.user, job=job, title=generated.content["title"], inputs=inputs,
            content=generated.content, **generated.meta,
        )  # fmt: skip
        progress_track(customer=job.customer, user=job.user, action="ai_icp_generated", metadata={"icpId": icp.pk})
        _assets_changed(job.customer)
    event_record("icp.generated", user=job.user, customer_id=job.customer_id, properties={"icp_id": icp.pk})
    return {"icp_analysis_id": icp.pk, "icp_content": generated.content, "source": generated.source,
            "model": generated.model}  # fmt: skip


# --- Personas -----------------------------------------------------------------------------------


def personas_generate(*, job: Job) -> dict[str, Any]:
    assert job.customer is not None
    inputs = job.input
    _progress(job, 10, "Building the prompt")
    generated = ai_json_generate(
        job=job, operation="personas", system=schemas.PERSONAS_SYSTEM, prompt=schemas.personas_prompt(inputs),
        context=inputs, validate=schemas.personas_validate, max_tokens=4096,
    )  # fmt: skip
    _progress(job, 92, "Saving")
    persona_set = PersonaSet.objects.create(
        customer=job.customer, created_by=job.user, job=job, company_context=inputs["company_context"],
        industry=inputs["industry"], target_market=inputs.get("target_market") or "",
        personas=generated.content["personas"], **generated.meta,
    )  # fmt: skip
    _assets_changed(job.customer)
    return {"persona_set_id": persona_set.pk, "personas": persona_set.personas, "source": generated.source,
            "model": generated.model}  # fmt: skip


# --- Company ratings ----------------------------------------------------------------------------


def _icp_for(job: Job) -> IcpAnalysis | None:
    icp_id = job.input.get("icp_analysis_id")
    rows = IcpAnalysis.objects.filter(customer=job.customer)
    return rows.filter(pk=icp_id).first() if icp_id else rows.first()


def _rate_one(job: Job, company_url: str, icp: IcpAnalysis | None) -> CompanyRating:
    assert job.customer is not None
    existing = CompanyRating.objects.filter(job=job, company_url=company_url).first()
    if existing is not None:  # a retried batch does not rate a company twice
        return existing
    # Research first (the browser pool, this task's queue `research`): the rating may cite only these facts.
    evidence = company_evidence(customer=job.customer, url=company_url)
    inputs = {"company_url": company_url, "icp_title": icp.title if icp else None, "evidence": evidence,
              "icp": icp.content if icp else None}  # fmt: skip
    generated = ai_json_generate(
        job=job, operation="company_rating", system=schemas.RATING_SYSTEM,
        prompt=schemas.rating_prompt(inputs, icp.content if icp else None), context=inputs,
        # A rating answer is 300-600 tokens; every call reserves max_tokens of the shared limit until it
        # answers (as OpenAI counts it), so 2048 (the old code's) would idle a fifth of a 10k TPM window.
        validate=schemas.rating_validate, max_tokens=1024, temperature=0.5,
    )  # fmt: skip
    host = urlparse(company_url).hostname or company_url
    event_record(
        "rating.created",
        user=job.user,
        customer_id=job.customer_id,
        properties={"value": generated.content.get("score")},
    )
    return CompanyRating.objects.create(
        customer=job.customer, created_by=job.user, job=job, icp_analysis=icp, company_url=company_url,
        company_name=host.removeprefix("www."), evidence=evidence,
        **generated.content, **generated.meta,
    )  # fmt: skip


def rating_result(rating: CompanyRating) -> dict[str, Any]:
    return {
        "id": rating.pk, "company_url": rating.company_url, "company_name": rating.company_name,
        "score": rating.score, "fit_level": rating.fit_level, "reasoning": rating.reasoning,
        "breakdown": rating.breakdown, "strengths": rating.strengths, "concerns": rating.concerns,
        "recommendation": rating.recommendation, "source": rating.source, "model": rating.model,
        "evidence": rating.evidence,
    }  # fmt: skip


def company_rate(*, job: Job) -> dict[str, Any]:
    _progress(job, 10, "Rating the company")
    rating = _rate_one(job, job.input["company_url"], _icp_for(job))
    return {"rating": rating_result(rating), "saved_id": rating.pk, "source": rating.source}


def company_rate_batch(*, job: Job) -> dict[str, Any]:
    """Rate 1-50 companies; progress per company. A company whose answer stays invalid is reported, not fatal."""
    companies: list[str] = job.input["companies"]
    icp = _icp_for(job)
    results: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for i, url in enumerate(companies):
        try:
            results.append(rating_result(_rate_one(job, url, icp)))
        except ApplicationError as exc:
            if exc.code != "ai_output_invalid":
                raise
            failed.append({"company_url": url, "error": {"code": exc.code, "message": exc.message}})
        _progress(job, round((i + 1) / len(companies) * 100), f"Rated {i + 1} of {len(companies)}")
    sources = sorted({r["source"] for r in results})
    return {
        "results": results, "failed": failed, "source": sources[0] if len(sources) == 1 else ",".join(sources),
        "metadata": {"total": len(companies), "successful": len(results), "failed": len(failed)},
    }  # fmt: skip


# --- Assessment insights ------------------------------------------------------------------------


def assessment_insight_generate(*, job: Job) -> dict[str, Any]:
    session = AssessmentSession.objects.get(pk=job.input["session_pk"])
    inputs = {
        "responses": job.input["responses"], "company": session.company_name, "product_name": session.product_name,
        "business_model": session.business_model,
    }  # fmt: skip
    generated = ai_json_generate(
        job=job, operation="assessment_insight", system=schemas.INSIGHT_SYSTEM, prompt=schemas.insight_prompt(inputs),
        context=inputs, validate=schemas.insight_validate, max_tokens=800,
    )  # fmt: skip
    insight = AssessmentInsight.objects.create(
        session=session, job=job, batch_number=job.input["batch_number"], question_range=job.input["question_range"],
        content=generated.content, source=generated.source, model=generated.model,
    )  # fmt: skip
    return {"insight": {"id": insight.pk, "batch_number": insight.batch_number, **insight.content},
            "source": generated.source}  # fmt: skip


# --- Resources library --------------------------------------------------------------------------


def resource_context(*, customer: Customer, resource: ResourceDefinition) -> dict[str, Any]:
    """Cumulative context: product details, latest ICP and personas, earlier generated assets."""
    product = ProductDetails.objects.filter(customer=customer, is_primary=True).first()
    icp = IcpAnalysis.objects.filter(customer=customer).first()
    personas = PersonaSet.objects.filter(customer=customer).first()
    earlier = (
        GeneratedResource.objects.filter(customer=customer, resource__asset_number__lt=resource.asset_number)
        .select_related("resource")
        .order_by("resource__asset_number", "-created_at")
        .distinct("resource__asset_number")
    )
    return {
        "title": resource.title,
        "product_info": {
            "name": product.product_name,
            "description": product.product_description,
            "business_model": product.business_model,
        }
        if product
        else None,
        "icp": icp.content if icp else None,
        "personas": personas.personas if personas else None,
        "context_resources": [
            {"code": g.resource.code, "title": g.resource.title, "summary": g.content.get("summary", "")}
            for g in earlier
        ],
    }


def resource_generate(*, job: Job) -> dict[str, Any]:
    assert job.customer is not None
    resource = ResourceDefinition.objects.get(code=job.input["code"])
    _progress(job, 10, "Gathering your context")
    context = resource_context(customer=job.customer, resource=resource)
    generated = ai_json_generate(
        job=job, operation="resource", system=schemas.RESOURCE_SYSTEM,
        prompt=schemas.resource_prompt(title=resource.title, description=resource.description, context=context),
        context=context, validate=schemas.resource_validate, max_tokens=4000,
    )  # fmt: skip
    _progress(job, 92, "Saving")
    row = GeneratedResource.objects.create(
        customer=job.customer, created_by=job.user, job=job, resource=resource, content=generated.content,
        context_resources=[c["code"] for c in context["context_resources"]], **generated.meta,
    )  # fmt: skip
    return {
        "generated_resource_id": row.pk, "code": resource.code, "content": row.content, "source": generated.source,
        "model": generated.model, "tokens": {"input": row.input_tokens, "output": row.output_tokens},
        "cost_usd": str(row.cost_usd),
    }  # fmt: skip
