"""AI-generated content (domain.md section 4 and 7): ICP analyses, persona sets, company ratings,
assessment insights, and the resources library (38 definitions + what each customer generated).

Every generated row says where it came from: `source` is the provider ("openai", "anthropic") or
"offline", with the model, tokens and cost of the calls that produced it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from assessments.models.sessions import AssessmentSession
from platform_core.models import Customer, Job, User


class AIContent(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=20)
    model = models.CharField(max_length=100)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=6, default=Decimal("0"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class IcpAnalysis(AIContent):
    """{title, description, segments[], keyIndicators[], redFlags[], ratingCriteria[]}."""

    title = models.CharField(max_length=300)
    inputs = models.JSONField(default=dict, blank=True)
    content = models.JSONField()

    class Meta(AIContent.Meta):
        verbose_name = "ICP analysis"
        verbose_name_plural = "ICP analyses"
        indexes = [models.Index(fields=["customer", "created_at"], name="icp_customer_created")]

    def __str__(self) -> str:
        return self.title


class PersonaSet(AIContent):
    """3-5 buyer personas for a company context and industry."""

    company_context = models.TextField(max_length=5000)
    industry = models.CharField(max_length=200)
    target_market = models.CharField(max_length=500, blank=True)
    personas = models.JSONField()

    class Meta(AIContent.Meta):
        indexes = [models.Index(fields=["customer", "created_at"], name="personas_customer_created")]

    def __str__(self) -> str:
        return f"{len(self.personas)} personas ({self.industry})"


class CompanyRating(AIContent):
    """ICP fit of one company: score = four 0-25 parts; fit tiers at 80/60/40."""

    icp_analysis = models.ForeignKey(IcpAnalysis, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    company_url = models.URLField(max_length=500)
    company_name = models.CharField(max_length=200)
    score = models.PositiveSmallIntegerField()
    fit_level = models.CharField(max_length=20)
    reasoning = models.TextField()
    breakdown = models.JSONField()
    strengths = models.JSONField(default=list)
    concerns = models.JSONField(default=list)
    recommendation = models.TextField(blank=True)
    # What research found on the company's site and cited ({"status": "found", ...} or {"status": "none", "reason"}).
    evidence = models.JSONField(default=dict, blank=True)

    class Meta(AIContent.Meta):
        indexes = [models.Index(fields=["customer", "created_at"], name="rating_customer_created")]
        constraints = [models.CheckConstraint(condition=Q(score__lte=100), name="rating_score_0_100")]

    def __str__(self) -> str:
        return f"{self.company_name} {self.score} ({self.fit_level})"


class AssessmentInsight(models.Model):
    """An AI insight on a batch of assessment answers, shown during the quiz (domain.md 3.3)."""

    session = models.ForeignKey(AssessmentSession, on_delete=models.CASCADE, related_name="insights")
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    batch_number = models.PositiveSmallIntegerField()
    question_range = models.CharField(max_length=10)
    content = models.JSONField()
    source = models.CharField(max_length=20)
    model = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["batch_number", "created_at"]

    def __str__(self) -> str:
        return f"insight {self.batch_number} for {self.session_id}"


class ResourceDefinition(models.Model):
    """One of the 38 strategic assets of the resources library (loaded by a data migration)."""

    class Tier(models.TextChoices):
        FOUNDATION = "foundation", "Foundation"
        GROWTH = "growth", "Growth"
        ENTERPRISE = "enterprise", "Enterprise"

    code = models.SlugField(max_length=80, unique=True)
    asset_number = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=40)
    tier = models.CharField(max_length=12, choices=Tier.choices)
    unlock_milestone = models.CharField(max_length=20)
    unlock_threshold = models.PositiveSmallIntegerField()
    consulting_equivalent = models.CharField(max_length=40, blank=True)
    display_order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["display_order"]
        constraints = [
            models.CheckConstraint(condition=Q(unlock_threshold__in=[25, 50, 75, 100]), name="resource_threshold"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_number}. {self.title}"


class GeneratedResource(AIContent):
    """A customer's generated copy of a resource (the latest one is shown; earlier ones are kept)."""

    resource = models.ForeignKey(ResourceDefinition, on_delete=models.PROTECT, related_name="generated")
    content = models.JSONField()
    context_resources = models.JSONField(default=list, blank=True, help_text="Codes of earlier assets used as context.")

    class Meta(AIContent.Meta):
        indexes = [models.Index(fields=["customer", "resource", "created_at"], name="genres_customer_resource")]

    def __str__(self) -> str:
        return f"{self.resource.code} for {self.customer_id}"
