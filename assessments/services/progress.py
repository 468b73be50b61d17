from django.db import transaction

from assessments import cache as assessment_cache
from assessments.airtable_sync import user_progress_values
from assessments.formulas import milestones_triggered
from assessments.models import MilestoneCompletion, ProgressAction
from integrations.airtable.outbox import airtable_change_enqueue
from platform_core.models import Customer, User


@transaction.atomic
def progress_track(
    *, customer: Customer, action: str, user: User | None = None, metadata: dict | None = None
) -> ProgressAction:
    """Record an action and complete the milestones it triggers (each milestone once per customer)."""
    # The customer row lock serialises concurrent actions, so "≥ 2 milestones done" is read consistently.
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    completed = set(MilestoneCompletion.objects.filter(customer=customer).values_list("milestone", flat=True))
    triggered = milestones_triggered(action=action, completed=completed)
    entry = ProgressAction.objects.create(
        customer=customer, user=user, action=action, metadata=metadata or {}, milestones_triggered=triggered
    )
    completions = MilestoneCompletion.objects.bulk_create(
        [
            MilestoneCompletion(customer=customer, milestone=m, trigger=action, completed_at=entry.created_at)
            for m in triggered
        ],
        ignore_conflicts=True,
    )
    for completion in completions:
        airtable_change_enqueue(
            customer=customer, entity="user_progress", key=completion.milestone, fields=user_progress_values(completion)
        )
    assessment_cache.invalidate(assessment_cache.progress_key(customer.pk))
    return entry
