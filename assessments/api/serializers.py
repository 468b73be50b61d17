"""Input serializers validate (ranges of domain.md); output serializers shape responses. snake_case here,
camelCase on the wire."""

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from assessments import formulas
from assessments.models import AssessmentSession, BusinessCase, CostCalculation, ProductDetails
from platform_core.api.fields import ModelSerializer, Serializer

# --- Assessment sessions -----------------------------------------------------------------------

SESSION_ID = serializers.RegexField(r"^[A-Za-z0-9_-]{10,100}$", max_length=100)


class StartProductInfoSerializer(Serializer):
    business_model = serializers.CharField(max_length=500, required=False, allow_blank=True)
    product_description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    product_name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AssessmentStartInputSerializer(Serializer):
    session_id = SESSION_ID
    start_time = serializers.DateTimeField(required=False)
    product_info = StartProductInfoSerializer(required=False)


class ResponsesSerializer(Serializer):
    """q1..q14, each 1-4 ("Definitely No" .. "Definitely Yes")."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            qid: serializers.IntegerField(min_value=formulas.RESPONSE_MIN, max_value=formulas.RESPONSE_MAX)
            for qid in formulas.QUESTION_IDS
        }


class UserInfoSerializer(Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254)
    company = serializers.CharField(min_length=1, max_length=200)
    role = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SubmitProductInfoSerializer(Serializer):
    product_name = serializers.CharField(max_length=200)
    product_description = serializers.CharField(max_length=1000)
    key_features = serializers.CharField(max_length=1000)
    ideal_customer_description = serializers.CharField(max_length=1000)
    business_model = serializers.CharField(max_length=500)
    customer_count = serializers.CharField(max_length=100)
    distinguishing_feature = serializers.CharField(max_length=500)


class GeneratedContentSerializer(Serializer):
    icp_generated = serializers.BooleanField(required=False)
    tbp_generated = serializers.BooleanField(required=False)
    buyer_gap = serializers.IntegerField(min_value=0, max_value=100, required=False)


class AssessmentSubmitInputSerializer(Serializer):
    """`results` (client-computed scores) is deliberately not a field: the server scores."""

    session_id = SESSION_ID
    responses = ResponsesSerializer()
    user_info = UserInfoSerializer()
    product_info = SubmitProductInfoSerializer(required=False)
    question_timings = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=3_600_000), required=False
    )
    generated_content = GeneratedContentSerializer(required=False)
    timestamp = serializers.DateTimeField(required=False)

    def validate_question_timings(self, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(formulas.QUESTION_IDS))
        if unknown:
            raise serializers.ValidationError(f"Unknown question ids: {', '.join(unknown)}.")
        return value


class ClaimInputSerializer(Serializer):
    token = serializers.CharField(max_length=500)


class AssessmentSessionSerializer(ModelSerializer[AssessmentSession]):
    class Meta:
        model = AssessmentSession
        fields = [
            "session_id", "status", "user_email", "company_name", "product_name", "buyer_score", "tech_score",
            "overall_score", "qualification", "percentile", "top_challenge", "professional_level",
            "calculation_status", "results", "started_at", "completed_at", "linked_at", "created_at",
        ]  # fmt: skip


# --- Products ----------------------------------------------------------------------------------


class ProductSerializer(ModelSerializer[ProductDetails]):
    competitive_advantages = serializers.ListField(
        child=serializers.CharField(max_length=500), max_length=20, required=False
    )

    class Meta:
        model = ProductDetails
        fields = [
            "id", "product_name", "product_description", "distinguishing_feature", "business_model", "industry",
            "target_market", "value_proposition", "competitive_advantages", "revenue_model", "pricing_strategy",
            "market_size", "growth_potential", "is_primary", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]


# --- Cost of inaction --------------------------------------------------------------------------


def _bounded(field: str, **kwargs: Any) -> serializers.DecimalField:
    low, high = formulas.COST_INPUT_RANGES[field]
    return serializers.DecimalField(min_value=low, max_value=high, **kwargs)


class CostInputsSerializer(Serializer):
    """The nine inputs of domain.md §5 with their ranges."""

    potential_deals = _bounded("potential_deals", max_digits=12, decimal_places=2)
    average_deal_size = _bounded("average_deal_size", max_digits=15, decimal_places=2)
    conversion_rate = _bounded("conversion_rate", max_digits=7, decimal_places=6)
    delay_months = _bounded("delay_months", max_digits=5, decimal_places=2)
    current_operating_cost = _bounded("current_operating_cost", max_digits=15, decimal_places=2)
    inefficiency_rate = _bounded("inefficiency_rate", max_digits=7, decimal_places=6)
    employee_count = serializers.IntegerField(min_value=1, max_value=100_000)
    average_salary = _bounded("average_salary", max_digits=12, decimal_places=2)
    market_share = _bounded("market_share", max_digits=7, decimal_places=6)


class CostCalculateInputSerializer(CostInputsSerializer):
    scenario = serializers.ChoiceField(choices=CostCalculation.Scenario.choices, default="realistic")


class CostSaveInputSerializer(CostCalculateInputSerializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CostCompareInputSerializer(Serializer):
    base_inputs = CostInputsSerializer()
    scenarios = serializers.ListField(
        child=serializers.ChoiceField(choices=CostCalculation.Scenario.choices), min_length=1, max_length=3
    )


class CostCalculationSerializer(ModelSerializer[CostCalculation]):
    inputs = serializers.SerializerMethodField()
    total_cost = serializers.FloatField()

    class Meta:
        model = CostCalculation
        fields = ["id", "name", "notes", "scenario", "inputs", "total_cost", "result", "created_at"]

    def get_inputs(self, obj: CostCalculation) -> dict[str, float]:
        return {field: float(value) for field, value in obj.inputs.items()}


# --- Business case -----------------------------------------------------------------------------


class BusinessCaseRequirementsSerializer(Serializer):
    timeline = serializers.IntegerField(min_value=1, max_value=60, help_text="Months.")
    budget = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, max_value=10_000_000)
    team_size = serializers.IntegerField(min_value=1, max_value=100_000, required=False)
    success_metrics = serializers.ListField(
        child=serializers.CharField(min_length=5, max_length=200), min_length=1, max_length=10
    )


class BusinessCaseContextSerializer(Serializer):
    industry = serializers.CharField(min_length=2, max_length=100)
    company_size = serializers.CharField(min_length=2, max_length=50)
    current_challenges = serializers.ListField(
        child=serializers.CharField(max_length=200), max_length=10, required=False, default=list
    )


class BusinessCaseGenerateInputSerializer(Serializer):
    type = serializers.ChoiceField(choices=["pilot", "full", "full_implementation"])
    requirements = BusinessCaseRequirementsSerializer()
    context = BusinessCaseContextSerializer()  # type: ignore[assignment]  # the body field is named "context"

    def validate_type(self, value: str) -> str:
        return "full_implementation" if value == "full" else value


class CostAnalysisSerializer(Serializer):
    total_cost = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0)
    lost_revenue = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0, default=Decimal(0))
    delay_months = serializers.IntegerField(min_value=0, max_value=24, default=0)
    potential_deals = serializers.IntegerField(min_value=0, max_value=10_000, default=0)
    inefficient_prospecting = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0, default=Decimal(0))
    poor_messaging = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0, default=Decimal(0))


class IcpDataSerializer(Serializer):
    target_market = serializers.CharField(max_length=500, required=False, allow_blank=True)
    pain_points = serializers.ListField(child=serializers.CharField(max_length=300), max_length=20, required=False)
    buying_triggers = serializers.ListField(child=serializers.CharField(max_length=300), max_length=20, required=False)


class BusinessCaseSimpleInputSerializer(Serializer):
    cost_analysis = CostAnalysisSerializer(required=False)
    icp_data = IcpDataSerializer(required=False)


class BusinessCaseSaveInputSerializer(Serializer):
    title = serializers.CharField(min_length=1, max_length=200, required=False)


class BusinessCaseSerializer(ModelSerializer[BusinessCase]):
    budget = serializers.FloatField(allow_null=True)

    class Meta:
        model = BusinessCase
        fields = [
            "id",
            "type",
            "status",
            "title",
            "budget",
            "timeline_months",
            "inputs",
            "content",
            "created_at",
            "updated_at",
        ]


class BusinessCaseListSerializer(ModelSerializer[BusinessCase]):
    class Meta:
        model = BusinessCase
        fields = ["id", "type", "status", "title", "created_at", "updated_at"]


# --- Progress and search -----------------------------------------------------------------------


class ProgressTrackInputSerializer(Serializer):
    action = serializers.CharField(min_length=2, max_length=100)
    metadata = serializers.DictField(required=False, default=dict)


class SearchInputSerializer(Serializer):
    q = serializers.CharField(min_length=2, max_length=200)


# --- Response shapes (documentation of the dict-shaped answers in the OpenAPI schema) ---------


class StartOutputSerializer(Serializer):
    session_id = serializers.CharField()
    record_id = serializers.UUIDField()
    status = serializers.CharField()
    claim_secret = serializers.CharField(
        required=False, help_text="Only in the answer that created the session: keep it to claim the results."
    )


class ScoresSerializer(Serializer):
    buyer_score = serializers.IntegerField(min_value=0, max_value=100)
    tech_score = serializers.IntegerField(min_value=0, max_value=100)
    overall_score = serializers.IntegerField(min_value=0, max_value=100)
    qualification = serializers.CharField()


class SubmitOutputSerializer(StartOutputSerializer):
    scores = ScoresSerializer()
    job_id = serializers.UUIDField()
    results_url = serializers.CharField()


class ResultsOutputSerializer(ScoresSerializer):
    session_id = serializers.CharField()
    status = serializers.CharField()
    company_name = serializers.CharField()
    product_name = serializers.CharField()
    calculation_status = serializers.ChoiceField(choices=["pending", "done", "failed"])
    job_id = serializers.UUIDField(allow_null=True)
    percentile = serializers.IntegerField(allow_null=True)
    top_challenge = serializers.CharField(allow_null=True)
    professional_level = serializers.CharField(allow_null=True)
    buyer_gap = serializers.IntegerField(allow_null=True)
    challenges = serializers.ListField(child=serializers.DictField())
    recommendations = serializers.ListField(child=serializers.DictField())
    tool_unlocks = serializers.DictField(child=serializers.BooleanField(), allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    calculated_at = serializers.DateTimeField(allow_null=True)


class ClaimTokenInputSerializer(Serializer):
    secret = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ClaimTokenSentSerializer(Serializer):
    delivered = serializers.ChoiceField(choices=["email"])
    expires_at = serializers.DateTimeField()


class ClaimTokenOutputSerializer(Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class CostCategorySerializer(Serializer):
    formula = serializers.CharField()
    value = serializers.FloatField()
    description = serializers.CharField()
    percentage = serializers.FloatField()


class RoiScenarioSerializer(Serializer):
    investment = serializers.FloatField()
    benefits = serializers.FloatField()
    roi = serializers.FloatField()
    payback_months = serializers.FloatField(allow_null=True)


class CostResultOutputSerializer(Serializer):
    scenario = serializers.CharField()
    multiplier = serializers.FloatField()
    inputs = serializers.DictField(child=serializers.FloatField())
    summary = serializers.DictField(child=serializers.FloatField())
    categories = serializers.DictField(child=CostCategorySerializer())
    roi_scenarios = serializers.DictField(child=RoiScenarioSerializer())
    generated_at = serializers.DateTimeField()


class CostComparisonSerializer(Serializer):
    scenario = serializers.CharField()
    multiplier = serializers.FloatField()
    total_cost = serializers.FloatField()
    inputs = serializers.DictField(child=serializers.FloatField())


class CostCompareOutputSerializer(Serializer):
    comparisons = CostComparisonSerializer(many=True)


class TemplatesOutputSerializer(Serializer):
    templates = serializers.ListField(child=serializers.DictField())


class MilestoneSerializer(Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    weight = serializers.IntegerField()
    triggers = serializers.ListField(child=serializers.CharField())
    completed = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)


class ProgressOutputSerializer(Serializer):
    completion_percentage = serializers.IntegerField(min_value=0, max_value=100)
    completed_milestones = serializers.IntegerField()
    total_milestones = serializers.IntegerField()
    estimated_days = serializers.IntegerField()
    engagement_score = serializers.IntegerField(min_value=0, max_value=100)
    next_milestone = serializers.CharField(allow_null=True)
    last_action_at = serializers.DateTimeField(allow_null=True)
    milestones = MilestoneSerializer(many=True)


class ProgressTrackOutputSerializer(Serializer):
    action = serializers.CharField()
    milestones_triggered = serializers.ListField(child=serializers.CharField())
    tracked_at = serializers.DateTimeField()
    progress = ProgressOutputSerializer()


class SearchHitSerializer(Serializer):
    type = serializers.ChoiceField(choices=["product", "cost_calculation", "business_case"])
    id = serializers.IntegerField()
    title = serializers.CharField()
    snippet = serializers.CharField()
    rank = serializers.FloatField()
    created_at = serializers.DateTimeField()


class SearchOutputSerializer(Serializer):
    query = serializers.CharField()
    results = SearchHitSerializer(many=True)


class PrimaryProductOutputSerializer(Serializer):
    product = ProductSerializer(allow_null=True)
