"""Make.com scenarios: a trigger is an outbound delivery to the scenario's webhook URL, tracked as an
execution sent → acknowledged (Make answered 2xx) → completed (its callback came) | timed_out."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from djangorestframework_camel_case.util import camelize

from integrations.make.callbacks import (
    BUSINESS_CASE_COMPLETE,
    COST_CALCULATION_COMPLETE,
    ICP_ANALYSIS_COMPLETE,
    make_customer_id,
)
from integrations.make.models import MakeExecution
from integrations.webhooks.models import WebhookDelivery
from integrations.webhooks.registry import InboundEvent
from integrations.webhooks.services.outbound import webhook_delivery_create
from platform_core.exceptions import ApplicationError
from platform_core.models import Customer, User

Scenario = MakeExecution.Scenario
# Where each scenario's input goes in the trigger (domain.md §10) and which callback completes it.
DATA_KEY: dict[str, str] = {
    Scenario.ICP_ANALYSIS: "data",
    Scenario.COST_CALCULATION: "calculationData",
    Scenario.BUSINESS_CASE: "businessCaseData",
}
COMPLETED_BY: dict[str, str] = {
    ICP_ANALYSIS_COMPLETE: Scenario.ICP_ANALYSIS,
    COST_CALCULATION_COMPLETE: Scenario.COST_CALCULATION,
    BUSINESS_CASE_COMPLETE: Scenario.BUSINESS_CASE,
}


def _scenario_url(scenario: str) -> str:
    urls: dict[str, str] = {
        Scenario.ICP_ANALYSIS: settings.MAKE_ICP_WEBHOOK,
        Scenario.COST_CALCULATION: settings.MAKE_COST_CALCULATOR_WEBHOOK,
        Scenario.BUSINESS_CASE: settings.MAKE_BUSINESS_CASE_WEBHOOK,
    }
    return urls[scenario]


@transaction.atomic
def make_scenario_trigger(*, customer: Customer, scenario: str, data: dict[str, Any]) -> MakeExecution:
    """Start a Make scenario for the customer; `data` (snake_case) is the scenario's input."""
    if scenario not in DATA_KEY:
        raise ValueError(f"Unknown Make scenario {scenario!r}")
    url = _scenario_url(scenario)
    if not url:
        raise ApplicationError(
            "This Make.com scenario is not configured.", code="make_not_configured", status_code=503,
            details={"scenario": scenario},
        )  # fmt: skip
    now = timezone.now()
    execution = MakeExecution(customer=customer, scenario=scenario, sent_at=now)
    owner = User.objects.filter(customer=customer, role=User.Role.OWNER).order_by("pk").first()
    payload = {
        "customerId": make_customer_id(customer), "customerName": customer.name, "company": customer.name,
        "email": owner.email if owner else "", "triggerType": scenario, "timestamp": now.isoformat(),
        "executionId": str(execution.id), DATA_KEY[scenario]: camelize(data),
    }  # fmt: skip
    execution.delivery = webhook_delivery_create(
        customer=customer, url=url, event_type=f"make.{scenario}", payload=payload
    )
    execution.deadline_at = now + timedelta(minutes=settings.MAKE_EXECUTION_TIMEOUT_MINUTES)
    execution.save()
    return execution


def make_execution_complete(*, event: InboundEvent) -> MakeExecution | None:
    """Complete the execution a callback answers: the one named by metadata.executionId, else the
    customer's oldest open one of that scenario. Runs inside the callback's processing transaction."""
    scenario = COMPLETED_BY.get(event.event_type)
    if scenario is None or event.customer is None:
        return None
    open_executions = MakeExecution.objects.select_for_update().filter(
        customer=event.customer, scenario=scenario, status__in=MakeExecution.OPEN
    )
    execution_id = event.data.get("metadata", {}).get("execution_id")
    if execution_id:
        open_executions = open_executions.filter(pk=execution_id)
    execution = open_executions.order_by("sent_at").first()
    if execution is None:
        return None
    execution.status, execution.completed_at = MakeExecution.Status.COMPLETED, timezone.now()
    execution.callback_id = event.inbound_id
    execution.save(update_fields=["status", "completed_at", "callback"])
    return execution


def make_delivery_finished(*, delivery: WebhookDelivery, excerpt: str) -> None:
    """A trigger's delivery is done (outbound delivery calls this inside its transaction): Make answered
    2xx, so the execution is acknowledged with what it said, or every attempt failed, so it failed."""
    executions = MakeExecution.objects.filter(delivery=delivery)
    if delivery.status == WebhookDelivery.Status.SUCCEEDED:
        try:
            response: Any = json.loads(excerpt)
        except ValueError:
            response = {"text": excerpt}
        executions.filter(status=MakeExecution.Status.SENT).update(
            status=MakeExecution.Status.ACKNOWLEDGED, acknowledged_at=timezone.now(), response=response
        )
    elif delivery.status == WebhookDelivery.Status.FAILED:
        executions.filter(status__in=MakeExecution.OPEN).update(
            status=MakeExecution.Status.FAILED, completed_at=delivery.finished_at or timezone.now()
        )


def make_executions_time_out() -> int:
    """Executions whose callback did not come by their deadline are timed out."""
    return MakeExecution.objects.filter(status__in=MakeExecution.OPEN, deadline_at__lt=timezone.now()).update(
        status=MakeExecution.Status.TIMED_OUT, completed_at=timezone.now()
    )
