"""The public assessment: start, submit (server-side scores), calculation, claiming, expiry."""

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments import cache as assessment_cache
from assessments import formulas
from assessments.airtable_sync import assessment_result_values
from assessments.models import AssessmentClaimToken, AssessmentScoreCount, AssessmentSession
from integrations.airtable.outbox import airtable_change_enqueue
from integrations.email.services import email_enqueue
from platform_core.analytics import event_record
from platform_core.exceptions import ApplicationError
from platform_core.models import User
from platform_core.notifications import STAFF
from platform_core.selectors.customers import customer_for_user
from platform_core.services.jobs import job_create

CLAIM_TOKEN_SALT = "assessments.claim-token"  # noqa: S105 - a signing namespace, not a secret
CLAIM_TOKEN_TTL = timedelta(hours=24)
ABANDONED_AFTER = timedelta(days=7)
PRODUCT_FIELDS = (
    "product_name", "product_description", "business_model", "key_features",
    "ideal_customer_description", "customer_count", "distinguishing_feature",
)  # fmt: skip
COMPLETED = (AssessmentSession.Status.COMPLETED_AWAITING_SIGNUP, AssessmentSession.Status.LINKED)


def _not_found() -> ApplicationError:
    return ApplicationError("Assessment not found.", code="assessment_not_found", status_code=404)


def _ensure_open(session: AssessmentSession) -> None:
    if session.status == AssessmentSession.Status.EXPIRED:
        raise ApplicationError(
            "This assessment expired after 7 days without answers; start a new one.", code="assessment_expired",
            status_code=409,
        )  # fmt: skip
    if session.status != AssessmentSession.Status.STARTED:
        raise ApplicationError(
            "This assessment was already submitted.", code="assessment_already_submitted", status_code=409,
            details={"status": session.status},
        )  # fmt: skip


def _apply_product_info(session: AssessmentSession, product_info: dict[str, str] | None) -> None:
    for field in PRODUCT_FIELDS:
        if product_info and field in product_info:
            setattr(session, field, product_info[field] or "")


def claim_secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _session_open(session_id: str, **defaults: Any) -> tuple[AssessmentSession, str, bool]:
    """The session row, locked (created with `defaults` when new); its claim secret when this call
    created it ("" otherwise: a retried start or someone else's call with the same id never learns it);
    and whether it was created."""
    secret = secrets.token_urlsafe(32)
    session, created = AssessmentSession.objects.select_for_update().get_or_create(
        session_id=session_id, defaults={"claim_secret_hash": claim_secret_hash(secret), **defaults}
    )
    return session, secret if created else "", created


def _product_defaults(product_info: dict[str, str] | None) -> dict[str, str]:
    return {field: product_info[field] or "" for field in PRODUCT_FIELDS if product_info and field in product_info}


@transaction.atomic
def assessment_start(*, session_id: str, product_info: dict[str, str] | None = None) -> tuple[AssessmentSession, str]:
    """Open a session (idempotent while it is still open: a retried start updates the product info).

    Returns the session and its claim secret (only from the call that created it)."""
    # A new session is inserted with its product info: no UPDATE of the row just created.
    session, secret, created = _session_open(session_id, **_product_defaults(product_info))
    _ensure_open(session)
    event_record("assessment.started", properties={"session_id": session.session_id})
    if not created:
        _apply_product_info(session, product_info)
        session.save()
    return session, secret


@transaction.atomic
def assessment_submit(
    *,
    session_id: str,
    responses: dict[str, int],
    user_info: dict[str, str],
    product_info: dict[str, str] | None = None,
    question_timings: dict[str, int] | None = None,
    generated_content: dict[str, Any] | None = None,
) -> tuple[AssessmentSession, str]:
    """Score the answers on the server and queue the calculation job; scores sent by a client are ignored.

    Returns the session and its claim secret when this call created it (no start before)."""
    session, secret, _ = _session_open(session_id)
    _ensure_open(session)
    for qid in formulas.QUESTION_IDS:
        setattr(session, f"{qid}_response", responses[qid])
    scores = formulas.assessment_scores(responses)
    session.buyer_score, session.tech_score = scores.buyer_score, scores.tech_score
    session.overall_score, session.qualification = scores.overall_score, scores.qualification
    session.user_email = user_info["email"].strip().lower()
    session.user_name = user_info.get("name") or ""
    session.company_name = user_info["company"]
    session.role = user_info.get("role") or ""
    _apply_product_info(session, product_info)
    session.question_timings = question_timings or {}
    session.generated_content = generated_content or {}
    session.status = AssessmentSession.Status.COMPLETED_AWAITING_SIGNUP
    session.completed_at = timezone.now()
    session.calculation_status = AssessmentSession.CalculationStatus.PENDING
    session.calculation_job = job_create(
        kind="assessment_calculation", task_name="assessments.tasks.assessment_calculate",
        customer=None, user=None, input={"session_id": session.session_id},
    )  # fmt: skip
    event_record("assessment.completed", properties={"session_id": session.session_id, "value": session.overall_score})
    session.save()
    assessment_cache.invalidate(assessment_cache.assessment_results_key(session.session_id))
    admin_path = reverse("admin:assessments_assessmentsession_change", args=[session.pk])
    email_enqueue(template="assessment_completed", to=STAFF, context={
        "respondent_email": session.user_email, "name": session.user_name, "company_name": session.company_name,
        "overall_score": session.overall_score, "buyer_score": session.buyer_score,
        "admin_url": settings.SITE_URL + admin_path,
    })  # fmt: skip
    return session, secret


@transaction.atomic
def assessment_calculate(*, session_id: str) -> dict[str, Any]:
    """The calculation job's work: percentile among all completed assessments, challenges, unlocks."""
    session = AssessmentSession.objects.select_for_update().filter(session_id=session_id).first()
    if session is None or session.status not in COMPLETED or session.overall_score is None:
        raise ApplicationError("No completed assessment to calculate.", code="assessment_not_completed")
    # Completed sessions per score, this one included: at most 101 rows, kept by a trigger (migration 0006).
    by_score = dict(AssessmentScoreCount.objects.values_list("score", "completed"))
    own = session.overall_score
    percentile = formulas.percentile_rank(
        below=sum(n for score, n in by_score.items() if score < own),
        equal=by_score.get(own, 0),
        total=sum(by_score.values()),
    )
    scores = formulas.AssessmentScores(
        session.buyer_score or 0, session.tech_score or 0, session.overall_score, session.qualification
    )
    results = formulas.assessment_results(
        scores=scores,
        percentile=percentile,
        timings={k: int(v) for k, v in session.question_timings.items()},
        buyer_gap_reported=session.generated_content.get("buyer_gap"),
    )
    session.percentile = results["percentile"]
    session.top_challenge = results["top_challenge"]
    session.professional_level = results["professional_level"]
    session.results = {k: results[k] for k in ("buyer_gap", "challenges", "recommendations", "tool_unlocks")}
    session.calculation_status = AssessmentSession.CalculationStatus.DONE
    session.calculated_at = timezone.now()
    session.save()
    assessment_cache.invalidate(assessment_cache.assessment_results_key(session.session_id))
    return {"session_id": session.session_id, **results}


@transaction.atomic
def assessment_claim_token_create(*, session_id: str, secret: str = "") -> tuple[str | None, AssessmentClaimToken]:
    """A signed, single-use link token, valid 24 h, for a completed session nobody has claimed.

    The token is returned only with the session's claim secret (the browser that took it); without
    it the token goes by e-mail to the respondent only (None returned). A wrong secret is refused.
    Knowing the session id alone never yields a token.
    """
    session = AssessmentSession.objects.select_for_update().filter(session_id=session_id).first()
    if session is None:
        raise _not_found()
    proven = bool(secret) and bool(session.claim_secret_hash)
    if secret and not (proven and hmac.compare_digest(session.claim_secret_hash, claim_secret_hash(secret))):
        raise ApplicationError(
            "The claim secret does not match this assessment.", code="claim_secret_invalid", status_code=403
        )
    if session.status == AssessmentSession.Status.LINKED:
        raise ApplicationError(
            "This assessment was already claimed.", code="assessment_already_claimed", status_code=409
        )
    if session.status != AssessmentSession.Status.COMPLETED_AWAITING_SIGNUP:
        raise ApplicationError(
            "Only a completed assessment can be claimed.", code="assessment_not_completed", status_code=409
        )
    if not proven and not session.user_email:
        raise ApplicationError(
            "Send the assessment's claim secret to get a claim token.", code="claim_proof_required", status_code=403
        )
    now = timezone.now()
    row = AssessmentClaimToken.objects.create(
        jti=uuid.uuid4(), session=session, created_at=now, expires_at=now + CLAIM_TOKEN_TTL
    )
    token = signing.dumps({"jti": str(row.jti), "type": "assessment_claim"}, salt=CLAIM_TOKEN_SALT)
    if session.user_email:  # the link also reaches the respondent's mailbox (fixed text: no respondent input)
        email_enqueue(template="claim_link", to=[session.user_email], context={
            "claim_url": f"{settings.FRONTEND_URL}/claim?token={token}",
            "overall_score": session.overall_score, "expires_at": f"{row.expires_at:%Y-%m-%d %H:%M} UTC",
        })  # fmt: skip
    return (token if proven else None), row


def _link(session: AssessmentSession, user: User) -> None:
    session.customer_id, session.user = user.customer_id, user
    session.status, session.linked_at = AssessmentSession.Status.LINKED, timezone.now()
    session.save(update_fields=["customer", "user", "status", "linked_at", "updated_at"])
    assessment_cache.invalidate(assessment_cache.assessment_results_key(session.session_id))
    airtable_change_enqueue(
        customer=session.customer_id, entity="assessment_result", key=session.session_id,
        fields=assessment_result_values(session),
    )  # fmt: skip


@transaction.atomic
def assessment_claim(*, token: str, user: User) -> AssessmentSession:
    """Link the token's session to the caller's customer; the token works once and for 24 h."""
    customer_for_user(user=user)
    try:
        payload = signing.loads(token, salt=CLAIM_TOKEN_SALT, max_age=CLAIM_TOKEN_TTL)
        jti = uuid.UUID(payload["jti"])
    except signing.SignatureExpired as exc:
        raise ApplicationError("The claim token has expired.", code="token_expired", status_code=410) from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ApplicationError("The claim token is not valid.", code="token_invalid", status_code=400) from exc
    row = AssessmentClaimToken.objects.select_for_update().select_related("session").filter(jti=jti).first()
    if row is None:
        raise ApplicationError("The claim token is not valid.", code="token_invalid", status_code=400)
    if row.used_at is not None:
        raise ApplicationError("The claim token was already used.", code="token_used", status_code=409)
    if row.expires_at <= timezone.now():
        raise ApplicationError("The claim token has expired.", code="token_expired", status_code=410)
    session = AssessmentSession.objects.select_for_update().get(pk=row.session_id)
    if session.status == AssessmentSession.Status.LINKED:
        raise ApplicationError(
            "This assessment was already claimed.", code="assessment_already_claimed", status_code=409
        )
    if session.status != AssessmentSession.Status.COMPLETED_AWAITING_SIGNUP:
        raise ApplicationError(
            "This assessment can no longer be claimed.", code="assessment_not_completed", status_code=409
        )
    row.used_at, row.used_by = timezone.now(), user
    row.save(update_fields=["used_at", "used_by"])
    _link(session, user)
    return session


@transaction.atomic
def assessment_sessions_link_for_user(*, user: User) -> int:
    """Link every completed, unclaimed session taken with the user's e-mail (called when an account is registered)."""
    if user.customer_id is None:
        return 0
    sessions = AssessmentSession.objects.select_for_update().filter(
        user_email=user.email.lower(), status=AssessmentSession.Status.COMPLETED_AWAITING_SIGNUP, customer__isnull=True
    )
    linked = 0
    for session in sessions:
        _link(session, user)
        linked += 1
    return linked


def assessment_sessions_expire(*, now: Any = None) -> int:
    """Sessions started and abandoned for 7 days become `expired` (beat, hourly)."""
    cutoff = (now or timezone.now()) - ABANDONED_AFTER
    return AssessmentSession.objects.filter(status=AssessmentSession.Status.STARTED, started_at__lt=cutoff).update(
        status=AssessmentSession.Status.EXPIRED, updated_at=timezone.now()
    )
