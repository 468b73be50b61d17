"""What syncs with Airtable (integrations.airtable) and how pulled values reach the platform.

Registered once from AssessmentsConfig.ready(). Three entities, the legacy tables (domain.md §9):
  assessment_result  <-> "Assessment Results": a customer's linked assessments (key: Session ID)
  user_progress      <-> "User Progress": completed milestones (key: Tool Name = milestone id)
  customer_assets    ->  "Customer Assets": latest ICP and personas (push only)
`*_values` give an entity's platform values; services queue them with `airtable_change_enqueue`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import DatabaseError, transaction

from assessments.formulas import MILESTONES
from assessments.models import AssessmentSession, IcpAnalysis, MilestoneCompletion, PersonaSet
from integrations.airtable.registry import ApplyItem, ApplyResult, airtable_entity_register
from platform_core.models import Customer

USER_INFO = {"name": "user_name", "email": "user_email", "company": "company_name", "role": "role"}
PRODUCT_INFO = (
    "product_name",
    "product_description",
    "business_model",
    "key_features",
    "ideal_customer_description",
    "customer_count",
    "distinguishing_feature",
)
SCORES = ("buyer_score", "tech_score", "overall_score")
MILESTONE_TRIGGER = {m.id: m.triggers[0] for m in MILESTONES}


# --- assessment results ------------------------------------------------------------------------
def assessment_result_values(session: AssessmentSession) -> dict[str, Any]:
    return {
        "buyer_score": session.buyer_score,
        "tech_score": session.tech_score,
        "overall_score": session.overall_score,
        "qualification": session.qualification,
        "user_info": {k: getattr(session, attr) for k, attr in USER_INFO.items()},
        "product_info": {k: getattr(session, k) for k in PRODUCT_INFO},
        "generated_content": session.generated_content,
    }


def _assessment_snapshot(customer: Customer) -> Iterator[tuple[str, dict[str, Any]]]:
    sessions = AssessmentSession.objects.filter(customer=customer, status=AssessmentSession.Status.LINKED)
    for session in sessions.order_by("pk").iterator(chunk_size=500):
        yield session.session_id, assessment_result_values(session)


def _assessment_errors(values: dict[str, Any]) -> str:
    for name in SCORES:
        value = values.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100):
            return f"{name} must be a whole number from 0 to 100, not {value!r}."
    for name in ("user_info", "product_info", "generated_content"):
        if values.get(name) is not None and not isinstance(values[name], dict):
            return f"{name} must be a JSON object."
    if values.get("qualification") is not None and len(str(values["qualification"])) > 20:
        return "qualification is longer than 20 characters."
    return ""


def _assessment_apply(customer: Customer, items: list[ApplyItem]) -> dict[str, ApplyResult]:
    """Update the customer's linked assessments; an unknown Session ID imports a legacy one (scores required)."""
    results: dict[str, ApplyResult] = {}
    new: list[AssessmentSession] = []
    changed: list[AssessmentSession] = []
    existing = {
        s.session_id: s
        for s in AssessmentSession.objects.select_for_update().filter(session_id__in=[i.key for i in items])
    }
    for item in items:
        if error := _assessment_errors(item.values):
            results[item.key] = ApplyResult("failed", error)
            continue
        session = existing.get(item.key)
        if session is not None and session.customer_id != customer.pk:
            results[item.key] = ApplyResult("failed", "This Session ID belongs to another customer.")
            continue
        creating = session is None
        values = {k: v for k, v in item.values.items() if creating or k not in item.create_only}
        if creating:
            if values.get("overall_score") is None:
                results[item.key] = ApplyResult("failed", "Overall Score is required to import an assessment.")
                continue
            session = AssessmentSession(
                session_id=item.key[:100],
                customer=customer,
                status=AssessmentSession.Status.LINKED,
                calculation_status=AssessmentSession.CalculationStatus.DONE,
            )
        assert session is not None
        for name in (*SCORES, "qualification"):
            if name in values:
                setattr(
                    session,
                    name,
                    values[name] if values[name] is not None else ("" if name == "qualification" else None),
                )
        for key, attr in USER_INFO.items():
            if key in (values.get("user_info") or {}):
                setattr(session, attr, str(values["user_info"][key] or "")[:254])
        for name in PRODUCT_INFO:
            if name in (values.get("product_info") or {}):
                setattr(session, name, str(values["product_info"][name] or ""))
        if values.get("generated_content") is not None:
            session.generated_content = values["generated_content"]
        (new if creating else changed).append(session)
    _save(new, changed, results)
    return results


def _save(new: list[AssessmentSession], changed: list[AssessmentSession], results: dict[str, ApplyResult]) -> None:
    """One INSERT for the imported rows when the database takes them all; else row by row, each in
    a savepoint, so a row it refuses is reported and does not undo the others."""
    if new:
        try:
            with transaction.atomic():
                AssessmentSession.objects.bulk_create(new)
        except DatabaseError:
            pass
        else:
            results.update({s.session_id: ApplyResult("created") for s in new})
            new = []
    for session, creating in [*((s, True) for s in new), *((s, False) for s in changed)]:
        try:
            with transaction.atomic():
                session.save(force_insert=creating)
        except DatabaseError as exc:
            results[session.session_id] = ApplyResult("failed", f"Not saved: {type(exc).__name__}.")
            continue
        results[session.session_id] = ApplyResult("created" if creating else "updated")


# --- user progress -----------------------------------------------------------------------------
def user_progress_values(completion: MilestoneCompletion) -> dict[str, Any]:
    return {
        "customer_id": str(completion.customer_id),
        "progress_data": {
            "completed": True,
            "trigger": completion.trigger,
            "completedAt": completion.completed_at.isoformat(),
        },
        "updated_at": completion.completed_at.isoformat(),
    }


def _progress_snapshot(customer: Customer) -> Iterator[tuple[str, dict[str, Any]]]:
    for completion in MilestoneCompletion.objects.filter(customer=customer):
        yield completion.milestone, user_progress_values(completion)


def _progress_apply(customer: Customer, items: list[ApplyItem]) -> dict[str, ApplyResult]:
    """A tool marked completed in Airtable completes its milestone (through progress_track)."""
    from assessments.services.progress import progress_track

    done = set(MilestoneCompletion.objects.filter(customer=customer).values_list("milestone", flat=True))
    results: dict[str, ApplyResult] = {}
    for item in items:
        if item.key not in MILESTONE_TRIGGER:
            results[item.key] = ApplyResult("failed", f"Unknown tool {item.key!r}.")
            continue
        data = item.values.get("progress_data")
        if "progress_data" in item.values and data is not None and not isinstance(data, dict):
            results[item.key] = ApplyResult("failed", "Progress Data must be a JSON object.")
            continue
        if not (data or {}).get("completed") or item.key in done:
            results[item.key] = ApplyResult("unchanged")
            continue
        progress_track(customer=customer, action=MILESTONE_TRIGGER[item.key], metadata={"source": "airtable"})
        done.add(item.key)
        results[item.key] = ApplyResult("created")
    return results


# --- customer assets (push only) ---------------------------------------------------------------
def customer_assets_values(customer: Customer) -> dict[str, Any]:
    icp = IcpAnalysis.objects.filter(customer=customer).order_by("-created_at").first()
    personas = PersonaSet.objects.filter(customer=customer).order_by("-created_at").first()
    return {
        "customer_name": customer.name,
        "icp_content": icp.content if icp else None,
        "target_buyer_personas": personas.personas if personas else None,
    }


def _assets_snapshot(customer: Customer) -> Iterator[tuple[str, dict[str, Any]]]:
    yield str(customer.pk), customer_assets_values(customer)


airtable_entity_register(name="assessment_result", snapshot=_assessment_snapshot, apply=_assessment_apply)
airtable_entity_register(name="user_progress", snapshot=_progress_snapshot, apply=_progress_apply)
airtable_entity_register(name="customer_assets", snapshot=_assets_snapshot)
