"""The callbacks Make.com scenarios post back (domain.md §10): declared and validated here (the
source is registered by MakeConfig.ready()), applied by the handlers the assessments app registers
(integrations.webhooks.registry)."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, computed_field, field_validator

from integrations.webhooks.registry import InboundEvent, InboundSource
from platform_core.models import Customer

SOURCE = "make"
ICP_ANALYSIS_COMPLETE = "icp_analysis_complete"
COST_CALCULATION_COMPLETE = "cost_calculation_complete"
BUSINESS_CASE_COMPLETE = "business_case_complete"
PROGRESS_MILESTONE = "progress_milestone"
CUSTOMER_ID = re.compile(r"CUST_\d{1,18}")
MILESTONES = ("initial_setup", "icp_analysis", "cost_calculation", "business_case", "export_delivery")


def make_customer_id(customer: Customer) -> str:
    """How a customer is named to Make (the CUST_<n> form its scenarios already use)."""
    return f"CUST_{customer.pk}"


# DRF's CharField: whitespace trimmed, blank refused unless a default is given.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Confidence = Annotated[int, Field(ge=0, le=100)]


class Payload(BaseModel):
    """Snake_case keys (camelCase on the wire); unknown keys are dropped."""

    model_config = ConfigDict(str_strip_whitespace=True)


class IcpContent(Payload):
    title: Annotated[Text, StringConstraints(max_length=300)]
    description: str = ""
    segments: list[Any] = []
    key_indicators: list[str] = []
    red_flags: list[str] = []
    rating_criteria: list[Any] = []
    confidence: Confidence = 85


class CostContent(Payload):
    total_cost: Annotated[float, Field(ge=0)]
    scenario: str = ""
    categories: Any = Field(default_factory=dict)
    breakdown: Any = Field(default_factory=dict)
    recommendations: list[Any] = []
    ai_insights: Any = Field(default_factory=dict)
    confidence: Confidence = 80


class BusinessCaseContent(Payload):
    executive_summary: Text
    problem_statement: str = ""
    proposed_solution: Any = Field(default_factory=dict)
    financial_analysis: dict[str, Any] = {}
    risk_assessment: dict[str, Any] = {}
    implementation_plan: dict[str, Any] = {}
    success_metrics: dict[str, Any] = {}
    recommendations: list[Any] = []
    confidence: Confidence = 80


class MilestoneContent(Payload):
    milestone: Literal[MILESTONES]  # type: ignore[valid-type]
    action: str = ""
    completed: bool = True


class Callback(Payload):
    """{webhookType, customerId: "CUST_<n>", processedContent, data?, metadata?{executionId?}}."""

    webhook_type: Text
    customer_id: str
    data: dict[str, Any] = {}
    metadata: dict[str, Any] = {}

    @field_validator("customer_id")
    @classmethod
    def _customer_id_form(cls, customer_id: str) -> str:
        if not CUSTOMER_ID.fullmatch(customer_id):
            raise ValueError("customerId has the form CUST_<number>.")
        return customer_id

    @field_validator("metadata")
    @classmethod
    def _execution_id_is_a_uuid(cls, metadata: dict[str, Any]) -> dict[str, Any]:
        if metadata.get("execution_id") is not None:
            try:
                metadata["execution_id"] = str(uuid.UUID(str(metadata["execution_id"])))
            except ValueError as exc:
                raise ValueError("executionId must be a UUID.") from exc
        return metadata

    @computed_field  # type: ignore[prop-decorator]
    @property
    def customer_pk(self) -> int:
        """An unknown customer is refused when the webhook is stored."""
        return int(self.customer_id[5:])


class IcpCallback(Callback):
    processed_content: IcpContent


class CostCallback(Callback):
    processed_content: CostContent


class BusinessCaseCallback(Callback):
    processed_content: BusinessCaseContent


class MilestoneCallback(Callback):
    processed_content: MilestoneContent


def _execution_complete(event: InboundEvent) -> None:
    from integrations.make.services import make_execution_complete

    make_execution_complete(event=event)


MAKE_SOURCE = InboundSource(
    name=SOURCE,
    event_type_field="webhook_type",
    payloads={
        ICP_ANALYSIS_COMPLETE: IcpCallback,
        COST_CALCULATION_COMPLETE: CostCallback,
        BUSINESS_CASE_COMPLETE: BusinessCaseCallback,
        PROGRESS_MILESTONE: MilestoneCallback,
    },
    after_handle=_execution_complete,
)
