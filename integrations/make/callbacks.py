"""The callbacks Make.com scenarios post back (domain.md §10): declared and validated here,
applied by the handlers the assessments app registers (integrations.webhooks.registry)."""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework import serializers

from integrations.webhooks.registry import InboundEvent, InboundSource, webhook_source_register
from platform_core.models import Customer

SOURCE = "make"
ICP_ANALYSIS_COMPLETE = "icp_analysis_complete"
COST_CALCULATION_COMPLETE = "cost_calculation_complete"
BUSINESS_CASE_COMPLETE = "business_case_complete"
PROGRESS_MILESTONE = "progress_milestone"
MILESTONES = ("initial_setup", "icp_analysis", "cost_calculation", "business_case", "export_delivery")


def make_customer_id(customer: Customer) -> str:
    """How a customer is named to Make (the CUST_<n> form its scenarios already use)."""
    return f"CUST_{customer.pk}"


class IcpContentSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    segments = serializers.ListField(child=serializers.JSONField(), required=False, default=list)
    key_indicators = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    red_flags = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    rating_criteria = serializers.ListField(child=serializers.JSONField(), required=False, default=list)
    confidence = serializers.IntegerField(min_value=0, max_value=100, default=85)


class CostContentSerializer(serializers.Serializer):
    total_cost = serializers.FloatField(min_value=0)
    scenario = serializers.CharField(required=False, allow_blank=True, default="")
    categories = serializers.JSONField(required=False, default=dict)
    breakdown = serializers.JSONField(required=False, default=dict)
    recommendations = serializers.ListField(child=serializers.JSONField(), required=False, default=list)
    ai_insights = serializers.JSONField(required=False, default=dict)
    confidence = serializers.IntegerField(min_value=0, max_value=100, default=80)


class BusinessCaseContentSerializer(serializers.Serializer):
    executive_summary = serializers.CharField()
    problem_statement = serializers.CharField(required=False, allow_blank=True, default="")
    proposed_solution = serializers.JSONField(required=False, default=dict)
    financial_analysis = serializers.DictField(required=False, default=dict)
    risk_assessment = serializers.DictField(required=False, default=dict)
    implementation_plan = serializers.DictField(required=False, default=dict)
    success_metrics = serializers.DictField(required=False, default=dict)
    recommendations = serializers.ListField(child=serializers.JSONField(), required=False, default=list)
    confidence = serializers.IntegerField(min_value=0, max_value=100, default=80)


class MilestoneContentSerializer(serializers.Serializer):
    milestone = serializers.ChoiceField(choices=MILESTONES)
    action = serializers.CharField(required=False, allow_blank=True, default="")
    completed = serializers.BooleanField(default=True)


class CallbackSerializer(serializers.Serializer):
    """{webhookType, customerId: "CUST_<n>", processedContent, data?, metadata?{executionId?}}."""

    webhook_type = serializers.CharField()
    customer_id = serializers.RegexField(
        r"^CUST_\d{1,18}$", error_messages={"invalid": "customerId has the form CUST_<number>."}
    )
    data = serializers.DictField(required=False, default=dict)  # type: ignore[assignment] # the wire name
    metadata = serializers.DictField(required=False, default=dict)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        execution_id = attrs["metadata"].get("execution_id")
        if execution_id is not None:
            try:
                attrs["metadata"]["execution_id"] = str(uuid.UUID(str(execution_id)))
            except ValueError as exc:
                raise serializers.ValidationError({"metadata": {"execution_id": ["Must be a UUID."]}}) from exc
        attrs["customer_pk"] = int(attrs["customer_id"][5:])  # an unknown one is refused when stored
        return attrs


class IcpCallbackSerializer(CallbackSerializer):
    processed_content = IcpContentSerializer()


class CostCallbackSerializer(CallbackSerializer):
    processed_content = CostContentSerializer()


class BusinessCaseCallbackSerializer(CallbackSerializer):
    processed_content = BusinessCaseContentSerializer()


class MilestoneCallbackSerializer(CallbackSerializer):
    processed_content = MilestoneContentSerializer()


def _execution_complete(event: InboundEvent) -> None:
    from integrations.make.services import make_execution_complete

    make_execution_complete(event=event)


webhook_source_register(
    InboundSource(
        name=SOURCE,
        event_type_field="webhook_type",
        serializers={
            ICP_ANALYSIS_COMPLETE: IcpCallbackSerializer,
            COST_CALCULATION_COMPLETE: CostCallbackSerializer,
            BUSINESS_CASE_COMPLETE: BusinessCaseCallbackSerializer,
            PROGRESS_MILESTONE: MilestoneCallbackSerializer,
        },
        after_handle=_execution_complete,
    )
)
