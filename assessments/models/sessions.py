"""The public assessment: a session answered without login, later claimed by a customer."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from assessments.formulas import QUESTION_IDS, RESPONSE_MAX, RESPONSE_MIN
from platform_core.models import Customer, Job, User


def _response_field(qid: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=f"{qid.upper()} response")


class AssessmentSession(models.Model):
    class Status(models.TextChoices):
        STARTED = "started", "Started"
        COMPLETED_AWAITING_SIGNUP = "completed_awaiting_signup", "Completed, awaiting signup"
        LINKED = "linked", "Linked to a customer"
        EXPIRED = "expired", "Expired"

    class CalculationStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session_id = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.STARTED)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessment_sessions"
    )
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessment_sessions")

    # Who took it (UserInfoForm), filled at submit.
    user_email = models.EmailField(max_length=254, blank=True, db_index=True)
    user_name = models.CharField(max_length=200, blank=True)
    company_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=200, blank=True)

    # ProductInputForm.
    product_name = models.CharField(max_length=200, blank=True)
    product_description = models.TextField(max_length=1000, blank=True)
    business_model = models.CharField(max_length=1000, blank=True)
    key_features = models.TextField(max_length=1000, blank=True)
    ideal_customer_description = models.TextField(max_length=1000, blank=True)
    customer_count = models.CharField(max_length=100, blank=True)
    distinguishing_feature = models.TextField(max_length=500, blank=True)

    q1_response = _response_field("q1")
    q2_response = _response_field("q2")
    q3_response = _response_field("q3")
    q4_response = _response_field("q4")
    q5_response = _response_field("q5")
    q6_response = _response_field("q6")
    q7_response = _response_field("q7")
    q8_response = _response_field("q8")
    q9_response = _response_field("q9")
    q10_response = _response_field("q10")
    q11_response = _response_field("q11")
    q12_response = _response_field("q12")
    q13_response = _response_field("q13")
    q14_response = _response_field("q14")
    question_timings = models.JSONField(default=dict, blank=True, help_text="Milliseconds per question id.")
    generated_content = models.JSONField(default=dict, blank=True)
    # SHA-256 of the secret handed only to the browser that created the session: the proof that lets
    # it take a claim token (anyone else gets the token by e-mail to the respondent only).
    claim_secret_hash = models.CharField(max_length=64, blank=True)

    # Scores: computed by the server at submit (assessments.formulas.assessment_scores).
    buyer_score = models.PositiveSmallIntegerField(null=True, blank=True)
    tech_score = models.PositiveSmallIntegerField(null=True, blank=True)
    overall_score = models.PositiveSmallIntegerField(null=True, blank=True)
    qualification = models.CharField(max_length=20, blank=True)

    # Filled by the calculation job.
    calculation_status = models.CharField(
        max_length=10, choices=CalculationStatus.choices, default=CalculationStatus.PENDING
    )
    calculation_job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    percentile = models.PositiveSmallIntegerField(null=True, blank=True)
    top_challenge = models.CharField(max_length=100, blank=True)
    professional_level = models.CharField(max_length=20, blank=True)
    results = models.JSONField(default=dict, blank=True, help_text="Challenges, recommendations, tool unlocks.")
    calculated_at = models.DateTimeField(null=True, blank=True)

    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["customer", "created_at"], name="assess_customer_created"),
            models.Index(fields=["status", "started_at"], name="assess_status_started"),
            models.Index(fields=["status", "overall_score"], name="assess_status_overall"),
        ]
        constraints = [
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{qid}_response__isnull": True})
                    | Q(**{f"{qid}_response__gte": RESPONSE_MIN, f"{qid}_response__lte": RESPONSE_MAX}),
                    name=f"assess_session_{qid}_1_4",
                )
                for qid in QUESTION_IDS
            ],
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{score}__isnull": True}) | Q(**{f"{score}__lte": 100}),
                    name=f"assess_session_{score}_0_100",
                )
                for score in ("buyer_score", "tech_score", "overall_score", "percentile")
            ],
            models.CheckConstraint(
                condition=Q(status__in=["started", "completed_awaiting_signup", "linked", "expired"]),
                name="assess_session_status_valid",
            ),
            # Linked means linked to a customer; completed means scored.
            models.CheckConstraint(
                condition=~Q(status="linked") | Q(customer__isnull=False), name="assess_session_linked_has_customer"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["started", "expired"]) | Q(overall_score__isnull=False),
                name="assess_session_completed_has_scores",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} ({self.status})"

    @property
    def responses(self) -> dict[str, int]:
        return {qid: value for qid in QUESTION_IDS if (value := getattr(self, f"{qid}_response")) is not None}


class AssessmentClaimToken(models.Model):
    """One signed claim link (24 h, single use): the row is what makes it single use."""

    jti = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(AssessmentSession, on_delete=models.CASCADE, related_name="claim_tokens")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["session", "created_at"], name="assess_claim_session_created")]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="assess_claim_expiry_after")
        ]

    def __str__(self) -> str:
        return f"claim {self.jti} for {self.session_id}"


class AssessmentScoreCount(models.Model):
    """How many completed assessments have each overall score: what a percentile is read from, ~101 rows
    instead of a count over every session. Kept by a trigger on the sessions table (migration 0006), so every
    way a session is written (the API, Airtable import, the admin, demo data, a delete) keeps it exact."""

    score = models.PositiveSmallIntegerField(primary_key=True)
    completed = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.completed} at {self.score}"
