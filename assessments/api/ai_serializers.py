from typing import Any

from django.core.validators import URLValidator
from rest_framework import serializers

from assessments.models import AssessmentInsight, CompanyRating, GeneratedResource, IcpAnalysis, PersonaSet
from platform_core.api.fields import ModelSerializer, Serializer

BUSINESS_MODELS = ["b2b-subscription", "b2b-one-time", "b2c-subscription", "b2c-one-time", "marketplace", "freemium"]
WEB_URL = URLValidator(schemes=["http", "https"], message="Enter an http or https address.")
AI_META = ["source", "model", "input_tokens", "output_tokens", "cost_usd", "created_at"]


class ProductInfoSerializer(Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=2000, required=False)
    distinguishing_feature = serializers.CharField(max_length=1000, required=False)
    business_model = serializers.ChoiceField(choices=BUSINESS_MODELS, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Give at least one product field.")
        return attrs


class GenerateIcpInputSerializer(Serializer):
    product_info = ProductInfoSerializer(required=False)
    industry = serializers.CharField(max_length=100, required=False)
    company_size = serializers.CharField(max_length=50, required=False)
    current_challenges = serializers.ListField(
        child=serializers.CharField(max_length=200), max_length=10, required=False
    )
    goals = serializers.ListField(child=serializers.CharField(max_length=200), max_length=10, required=False)


class PersonasInputSerializer(Serializer):
    company_context = serializers.CharField(min_length=10, max_length=5000)
    industry = serializers.CharField(min_length=2, max_length=200)
    target_market = serializers.CharField(max_length=500, required=False, allow_blank=True)


class RateCompanyInputSerializer(Serializer):
    company_url = serializers.URLField(max_length=500, validators=[WEB_URL])
    icp_analysis_id = serializers.IntegerField(required=False)


class RateBatchInputSerializer(Serializer):
    companies = serializers.ListField(
        child=serializers.URLField(max_length=500, validators=[WEB_URL]), min_length=1, max_length=50
    )
    icp_analysis_id = serializers.IntegerField(required=False)


class InsightResponseSerializer(Serializer):
    question_id = serializers.RegexField(r"^q([1-9]|1[0-4])$")
    question_text = serializers.CharField(max_length=500)
    response = serializers.IntegerField(min_value=1, max_value=4)


class InsightInputSerializer(Serializer):
    batch_number = serializers.IntegerField(min_value=1, max_value=3, default=1)
    responses = InsightResponseSerializer(many=True, allow_empty=False)

    def validate_responses(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(value) > 14:
            raise serializers.ValidationError("At most 14 answers.")
        return value


class IcpAnalysisSerializer(ModelSerializer[IcpAnalysis]):
    class Meta:
        model = IcpAnalysis
        fields = ["id", "title", "content", "inputs", *AI_META]


class PersonaSetSerializer(ModelSerializer[PersonaSet]):
    class Meta:
        model = PersonaSet
        fields = ["id", "company_context", "industry", "target_market", "personas", *AI_META]


class CompanyRatingSerializer(ModelSerializer[CompanyRating]):
    class Meta:
        model = CompanyRating
        fields = [
            "id", "company_url", "company_name", "icp_analysis", "score", "fit_level", "reasoning", "breakdown",
            "strengths", "concerns", "recommendation", "evidence", *AI_META,
        ]  # fmt: skip


class AssessmentInsightSerializer(ModelSerializer[AssessmentInsight]):
    class Meta:
        model = AssessmentInsight
        fields = ["id", "batch_number", "question_range", "content", "source", "model", "created_at"]


class AssessmentInsightListSerializer(Serializer):
    insights = AssessmentInsightSerializer(many=True)


class GeneratedResourceSerializer(ModelSerializer[GeneratedResource]):
    code = serializers.CharField(source="resource.code")
    title = serializers.CharField(source="resource.title")

    class Meta:
        model = GeneratedResource
        fields = ["id", "code", "title", "content", "context_resources", *AI_META]


class ResourceStateSerializer(Serializer):
    code = serializers.CharField()
    asset_number = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField()
    tier = serializers.CharField()
    unlock_milestone = serializers.CharField()
    unlock_threshold = serializers.IntegerField()
    consulting_equivalent = serializers.CharField()
    is_unlocked = serializers.BooleanField()
    is_generated = serializers.BooleanField()


class ResourceLibraryMetadataSerializer(Serializer):
    total_resources = serializers.IntegerField()
    unlocked = serializers.IntegerField()
    generated = serializers.IntegerField()


class ResourceLibrarySerializer(Serializer):
    """The response of GET /resources/ (schema only: the view returns the selector's dicts)."""

    resources = ResourceStateSerializer(many=True)
    metadata = ResourceLibraryMetadataSerializer()
