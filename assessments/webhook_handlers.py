"""How the Make.com callbacks (integrations.make.callbacks validates them) change the customer's
records: through progress_track, the service the API uses, which completes the milestones.

Imported once from AssessmentsConfig.ready(). The automation's content is kept with the action
(and in the stored webhook) until the ICP / cost / business-case content services take it.
"""

from assessments.formulas import MILESTONES
from assessments.services.progress import progress_track
from integrations.make import callbacks
from integrations.webhooks.registry import InboundEvent, webhook_handler_register

# The action each automation result counts as (formulas.MILESTONES triggers).
CALLBACK_ACTIONS = {
    callbacks.ICP_ANALYSIS_COMPLETE: "ai_icp_generated",
    callbacks.COST_CALCULATION_COMPLETE: "ai_cost_calculated",
    callbacks.BUSINESS_CASE_COMPLETE: "ai_business_case_generated",
}
MILESTONE_ACTIONS = {m.id: m.triggers[0] for m in MILESTONES}


def _metadata(event: InboundEvent) -> dict:
    return {"source": "make", "webhook_id": event.webhook_id, "content": event.data["processed_content"]}


def automation_result_record(event: InboundEvent) -> None:
    assert event.customer is not None
    progress_track(customer=event.customer, action=CALLBACK_ACTIONS[event.event_type], metadata=_metadata(event))


def progress_milestone_record(event: InboundEvent) -> None:
    assert event.customer is not None
    content = event.data["processed_content"]
    if not content["completed"]:
        return
    action = content["action"] or MILESTONE_ACTIONS[content["milestone"]]
    progress_track(customer=event.customer, action=action, metadata=_metadata(event))


for event_type in CALLBACK_ACTIONS:
    webhook_handler_register(source=callbacks.SOURCE, event_type=event_type, handler=automation_result_record)
webhook_handler_register(
    source=callbacks.SOURCE, event_type=callbacks.PROGRESS_MILESTONE, handler=progress_milestone_record
)
