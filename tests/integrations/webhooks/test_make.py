"""Make.com: scenario triggers are tracked executions (sent → acknowledged → completed | timed_out);
callbacks are validated (400, nothing written) and applied by the assessments app's handlers."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from assessments.models import MilestoneCompletion, ProgressAction
from integrations.make.callbacks import make_customer_id
from integrations.make.models import MakeExecution
from integrations.make.services import make_executions_time_out, make_scenario_trigger
from integrations.webhooks.models import InboundWebhook, WebhookDelivery
from integrations.webhooks.services.inbound import inbound_webhook_process
from integrations.webhooks.services.outbound import webhook_delivery_attempt
from platform_core.exceptions import ApplicationError
from tests.fakes.webhook_receiver import webhook_receiver
from tests.integrations.webhooks.conftest import MAKE_SECRET, post_webhook, sign
from tests.platform_core.factories import CustomerFactory, UserFactory
from tests.support.worker import wait_for

pytestmark = pytest.mark.django_db

ICP_CONTENT = {
    "title": "Series A B2B SaaS",
    "description": "Teams of 20-200 selling to mid-market.",
    "segments": [{"name": "Mid-market SaaS"}],
    "keyIndicators": ["hiring SDRs"],
    "redFlags": ["no product-market fit"],
    "ratingCriteria": [{"name": "Company size", "weight": 0.3}],
}


def callback(customer, webhook_type="icp_analysis_complete", content=None, **extra) -> bytes:
    body = {
        "webhookType": webhook_type,
        "customerId": make_customer_id(customer),
        "processedContent": ICP_CONTENT if content is None else content,
        **extra,
    }
    return json.dumps(body).encode()


def post_callback(body: bytes):
    return post_webhook(Client(), "make", body, sign(MAKE_SECRET, body))


# --- callbacks ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.pop("processedContent"), "processedContent"),
        (lambda b: b.update(customerId="42"), "customerId"),
        (lambda b: b.update(customerId="CUST_999999"), "customerId"),
        (lambda b: b["processedContent"].pop("title"), "processedContent"),
        (lambda b: b["processedContent"].update(confidence=150), "processedContent"),
        (lambda b: b.update(metadata={"executionId": "nope"}), "metadata"),
    ],
)
def test_bad_callbacks_are_400_with_the_field_and_write_nothing(change, field):
    body = json.loads(callback(CustomerFactory()))
    body["processedContent"] = dict(body["processedContent"])
    change(body)
    response = post_callback(json.dumps(body).encode())

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["details"]
    assert not InboundWebhook.objects.exists()
    assert not ProgressAction.objects.exists()


def test_a_bad_nested_field_is_named_where_it_is():
    body = json.loads(callback(CustomerFactory(), "cost_calculation_complete", {"totalCost": -1, "confidence": "x"}))
    details = post_callback(json.dumps(body).encode()).json()["error"]["details"]
    assert set(details) == {"processedContent"}
    assert set(details["processedContent"]) == {"totalCost", "confidence"}
    assert all(isinstance(messages, list) and messages for messages in details["processedContent"].values())


def test_unknown_callback_type_is_400():
    response = post_callback(callback(CustomerFactory(), webhook_type="icp_analysis_started"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_event_type"
    assert "icp_analysis_complete" in response.json()["error"]["details"]["webhookType"]


@pytest.mark.parametrize(
    ("webhook_type", "content", "milestone"),
    [
        ("icp_analysis_complete", ICP_CONTENT, "icp_analysis"),
        ("cost_calculation_complete", {"totalCost": 182000.5, "scenario": "realistic"}, "cost_calculation"),
        ("business_case_complete", {"executiveSummary": "Act now."}, "business_case"),
        ("progress_milestone", {"milestone": "initial_setup"}, "initial_setup"),
    ],
)
def test_each_callback_updates_the_customers_progress_through_the_assessments_handlers(
    webhook_type, content, milestone
):
    customer = CustomerFactory()
    assert post_callback(callback(customer, webhook_type, content)).status_code == 202
    inbound = InboundWebhook.objects.get()
    assert inbound.customer == customer

    assert inbound_webhook_process(inbound_id=inbound.pk) == "processed"
    completed = MilestoneCompletion.objects.filter(customer_id=customer.pk).values_list("milestone", flat=True)
    assert list(completed) == [milestone]
    action = ProgressAction.objects.get(customer_id=customer.pk)
    assert action.metadata["webhook_id"] == inbound.webhook_id


def test_callback_defaults_are_applied():
    customer = CustomerFactory()
    post_callback(callback(customer))
    content = InboundWebhook.objects.get().payload["processed_content"]
    assert content["confidence"] == 85  # domain.md §10: ICP confidence defaults to 85
    assert content["key_indicators"] == ["hiring SDRs"]


# --- scenario executions ----------------------------------------------------------------------------
def test_trigger_is_a_tracked_execution_acknowledged_then_completed_by_its_callback(settings):
    owner = UserFactory(email="founder@acme.example")
    customer = owner.customer
    with webhook_receiver(body='{"accepted": true}') as make:
        settings.MAKE_ICP_WEBHOOK = make.url
        execution = make_scenario_trigger(
            customer=customer, scenario="icp_analysis", data={"industry": "Fintech", "current_challenges": ["churn"]}
        )
        assert execution.status == MakeExecution.Status.SENT
        delivery = execution.delivery
        assert webhook_delivery_attempt(delivery_id=str(delivery.pk), task_id=delivery.task_id) == "succeeded"

    (request,) = make.requests
    sent = request.json()
    assert sent["customerId"] == make_customer_id(customer)
    assert sent["triggerType"] == "icp_analysis"
    assert sent["email"] == "founder@acme.example"
    assert sent["executionId"] == str(execution.pk)
    assert sent["data"] == {"industry": "Fintech", "currentChallenges": ["churn"]}
    assert request.headers["user-agent"] == "HS-Platform-API/1.0"
    assert request.headers["webhook-id"] == delivery.message_id
    execution.refresh_from_db()
    assert execution.status == MakeExecution.Status.ACKNOWLEDGED
    assert execution.response == {"accepted": True}

    post_callback(callback(customer, metadata={"executionId": str(execution.pk)}))
    inbound = InboundWebhook.objects.get()
    inbound_webhook_process(inbound_id=inbound.pk)
    execution.refresh_from_db()
    assert execution.status == MakeExecution.Status.COMPLETED
    assert execution.callback == inbound


def test_without_an_execution_id_the_oldest_open_execution_completes(settings):
    customer = CustomerFactory()
    settings.MAKE_COST_CALCULATOR_WEBHOOK = "http://127.0.0.1:9/unused"
    first = make_scenario_trigger(customer=customer, scenario="cost_calculation", data={"total_cost": 1})
    second = make_scenario_trigger(customer=customer, scenario="cost_calculation", data={"total_cost": 2})

    post_callback(callback(customer, "cost_calculation_complete", {"totalCost": 1}))
    inbound_webhook_process(inbound_id=InboundWebhook.objects.get().pk)

    statuses = dict(MakeExecution.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "completed", second.pk: "sent"}


def test_executions_without_a_callback_time_out(settings):
    customer = CustomerFactory()
    settings.MAKE_BUSINESS_CASE_WEBHOOK = "http://127.0.0.1:9/unused"
    late = make_scenario_trigger(customer=customer, scenario="business_case_generation", data={})
    fresh = make_scenario_trigger(customer=customer, scenario="business_case_generation", data={})
    MakeExecution.objects.filter(pk=late.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))

    assert make_executions_time_out() == 1
    assert dict(MakeExecution.objects.values_list("pk", "status")) == {late.pk: "timed_out", fresh.pk: "sent"}


def test_unconfigured_scenario_is_503_and_writes_nothing(settings):
    settings.MAKE_ICP_WEBHOOK = ""
    with pytest.raises(ApplicationError) as exc:
        make_scenario_trigger(customer=CustomerFactory(), scenario="icp_analysis", data={})
    assert (exc.value.code, exc.value.status_code) == ("make_not_configured", 503)
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_make_round_trip_on_the_real_worker(settings, celery_worker):
    customer = UserFactory().customer
    with webhook_receiver() as make:
        settings.MAKE_ICP_WEBHOOK = make.url
        execution = make_scenario_trigger(customer=customer, scenario="icp_analysis", data={"industry": "Health"})
        wait_for(lambda: MakeExecution.objects.get(pk=execution.pk).status == "acknowledged", what="the trigger")

    assert post_callback(callback(customer, metadata={"executionId": str(execution.pk)})).status_code == 202
    wait_for(lambda: MakeExecution.objects.get(pk=execution.pk).status == "completed", what="the callback")
    assert MilestoneCompletion.objects.filter(customer_id=customer.pk, milestone="icp_analysis").exists()
