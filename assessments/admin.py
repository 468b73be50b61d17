"""Staff views of every assessments model: search, filters, computed fields read-only."""

from django.contrib import admin
from django.http import HttpRequest

from assessments.models import (
    AssessmentClaimToken,
    AssessmentInsight,
    AssessmentSession,
    BusinessCase,
    CompanyRating,
    CostCalculation,
    GeneratedResource,
    IcpAnalysis,
    MilestoneCompletion,
    PersonaSet,
    ProductDetails,
    ProgressAction,
    ResourceDefinition,
)

RESPONSE_FIELDS = tuple(f"q{i}_response" for i in range(1, 15))


class ClaimTokenInline(admin.TabularInline):
    model = AssessmentClaimToken
    extra = 0
    can_delete = False
    fields = ("jti", "created_at", "expires_at", "used_at", "used_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AssessmentSession)
class AssessmentSessionAdmin(admin.ModelAdmin):
    list_display = [
        "session_id", "user_email", "company_name", "status", "overall_score", "qualification",
        "percentile", "customer", "completed_at",
    ]  # fmt: skip
    list_filter = ["status", "qualification", "calculation_status", "professional_level"]
    search_fields = ["session_id", "user_email", "company_name", "product_name", "customer__name"]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["customer", "user"]
    inlines = [ClaimTokenInline]
    # Scores and results are computed by the server (formulas + calculation job), never typed in.
    readonly_fields = [
        "id", "buyer_score", "tech_score", "overall_score", "qualification", "percentile", "top_challenge",
        "professional_level", "results", "calculation_status", "calculation_job", "calculated_at",
        *RESPONSE_FIELDS, "question_timings", "generated_content", "completed_at", "linked_at",
        "created_at", "updated_at",
    ]  # fmt: skip
    fieldsets = (
        (None, {"fields": ("id", "session_id", "status", "customer", "user")}),
        ("Taken by", {"fields": ("user_email", "user_name", "company_name", "role")}),
        ("Product", {"fields": ("product_name", "product_description", "business_model", "key_features",
                                "ideal_customer_description", "customer_count", "distinguishing_feature")}),
        ("Scores", {"fields": ("buyer_score", "tech_score", "overall_score", "qualification")}),
        ("Calculation", {"fields": ("calculation_status", "calculation_job", "percentile", "top_challenge",
                                    "professional_level", "results", "calculated_at")}),
        ("Answers", {"classes": ("collapse",), "fields": (*RESPONSE_FIELDS, "question_timings", "generated_content")}),
        ("Dates", {"fields": ("started_at", "completed_at", "linked_at", "created_at", "updated_at")}),
    )  # fmt: skip


@admin.register(AssessmentClaimToken)
class AssessmentClaimTokenAdmin(admin.ModelAdmin):
    list_display = ["jti", "session", "created_at", "expires_at", "used_at", "used_by"]
    list_filter = [("used_at", admin.EmptyFieldListFilter)]
    search_fields = ["jti", "session__session_id", "session__user_email", "used_by__email"]
    list_select_related = ["session", "used_by"]
    readonly_fields = ["jti", "session", "created_at", "expires_at", "used_at", "used_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued by the claim-token endpoint, signed


@admin.register(ProductDetails)
class ProductDetailsAdmin(admin.ModelAdmin):
    list_display = ["product_name", "customer", "business_model", "growth_potential", "is_primary", "created_at"]
    list_filter = ["business_model", "growth_potential", "is_primary"]
    search_fields = ["product_name", "product_description", "industry", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    exclude = ["search_vector"]


@admin.register(CostCalculation)
class CostCalculationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "customer", "scenario", "total_cost", "delay_months", "created_at"]
    list_filter = ["scenario"]
    search_fields = ["name", "notes", "customer__name"]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["customer"]
    # The result is the formula's output for the inputs: staff read it, they do not edit it.
    readonly_fields = ["total_cost", "result", "created_by", "created_at"]
    exclude = ["search_vector"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # editing inputs without recomputing would make the row lie


@admin.register(BusinessCase)
class BusinessCaseAdmin(admin.ModelAdmin):
    list_display = ["title", "customer", "type", "status", "budget", "timeline_months", "created_at"]
    list_filter = ["type", "status"]
    search_fields = ["title", "summary", "customer__name"]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["customer"]
    readonly_fields = ["type", "inputs", "content", "budget", "timeline_months", "cost_calculation",
                       "created_by", "created_at", "updated_at"]  # fmt: skip
    exclude = ["search_vector"]


@admin.register(MilestoneCompletion)
class MilestoneCompletionAdmin(admin.ModelAdmin):
    list_display = ["customer", "milestone", "trigger", "completed_at"]
    list_filter = ["milestone"]
    search_fields = ["customer__name", "trigger"]
    list_select_related = ["customer"]
    readonly_fields = ["customer", "milestone", "trigger", "completed_at", "created_at"]


@admin.register(ProgressAction)
class ProgressActionAdmin(admin.ModelAdmin):
    list_display = ["action", "customer", "user", "triggered", "created_at"]
    list_filter = ["action"]
    search_fields = ["action", "customer__name", "user__email"]
    list_select_related = ["customer", "user"]
    date_hierarchy = "created_at"
    readonly_fields = ["customer", "user", "action", "metadata", "milestones_triggered", "created_at"]

    @admin.display(description="Milestones triggered")
    def triggered(self, obj: ProgressAction) -> str:
        return ", ".join(obj.milestones_triggered) or "-"


# --- AI content: generated by jobs, so staff read it (and may delete a bad one), never type it in ------

AI_META = ["source", "model", "input_tokens", "output_tokens", "cost_usd", "job", "created_by", "created_at"]


class AIContentAdmin(admin.ModelAdmin):
    list_filter = ["source", "model", "created_at"]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(IcpAnalysis)
class IcpAnalysisAdmin(AIContentAdmin):
    list_display = ["title", "customer", "source", "model", "cost_usd", "created_at"]
    search_fields = ["title", "customer__name"]


@admin.register(PersonaSet)
class PersonaSetAdmin(AIContentAdmin):
    list_display = ["__str__", "customer", "industry", "source", "model", "cost_usd", "created_at"]
    list_filter = ["source", "model", "industry", "created_at"]
    search_fields = ["industry", "company_context", "target_market", "customer__name"]


@admin.register(CompanyRating)
class CompanyRatingAdmin(AIContentAdmin):
    list_display = ["company_name", "customer", "score", "fit_level", "source", "created_at"]
    list_filter = ["fit_level", "source", "model", "created_at"]
    search_fields = ["company_name", "company_url", "customer__name"]


@admin.register(GeneratedResource)
class GeneratedResourceAdmin(AIContentAdmin):
    list_display = ["resource", "customer", "source", "model", "cost_usd", "created_at"]
    list_filter = ["resource__tier", "source", "model", "created_at"]
    search_fields = ["resource__code", "resource__title", "customer__name"]
    list_select_related = ["customer", "resource"]


@admin.register(AssessmentInsight)
class AssessmentInsightAdmin(admin.ModelAdmin):
    list_display = ["session", "batch_number", "question_range", "source", "model", "created_at"]
    list_filter = ["batch_number", "source"]
    search_fields = ["session__session_id", "session__user_email"]
    list_select_related = ["session"]
    readonly_fields = ["session", "job", "batch_number", "question_range", "content", "source", "model", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ResourceDefinition)
class ResourceDefinitionAdmin(admin.ModelAdmin):
    """The 38 assets of the library (a data migration loads them); staff adjust texts and unlock rules."""

    list_display = ["asset_number", "title", "category", "tier", "unlock_milestone", "unlock_threshold"]
    list_filter = ["tier", "category", "unlock_threshold"]
    search_fields = ["code", "title", "description"]
    ordering = ["display_order"]
    readonly_fields = ["code", "asset_number"]
