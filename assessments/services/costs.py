from typing import Any

from django.db import transaction

from assessments import formulas
from assessments.models import CostCalculation
from assessments.services.progress import progress_track
from platform_core.analytics import event_record
from platform_core.models import Customer, User


def cost_calculate(*, customer: Customer, user: User | None, inputs: dict[str, Any], scenario: str) -> dict[str, Any]:
    """Compute (not save) the cost of inaction; calculating completes the cost milestone."""
    result = formulas.cost_of_inaction(inputs, scenario)
    progress_track(customer=customer, user=user, action="cost_calculated", metadata={"scenario": scenario})
    event_record("tool.used", user=user, customer_id=customer.pk, properties={"tool": "cost_calculator"})
    return result


@transaction.atomic
def cost_calculation_save(
    *, customer: Customer, user: User | None, inputs: dict[str, Any], scenario: str, name: str = "", notes: str = ""
) -> CostCalculation:
    """Save a calculation; the result is recomputed here from the inputs, never taken from the client."""
    result = formulas.cost_of_inaction(inputs, scenario)
    calculation = CostCalculation.objects.create(
        customer=customer, created_by=user, name=name, notes=notes, scenario=scenario,
        total_cost=result["summary"]["total_cost"], result=result, **inputs,
    )  # fmt: skip
    progress_track(customer=customer, user=user, action="cost_calculated", metadata={"calculation_id": calculation.pk})
    return calculation


def cost_scenarios_compare(*, base_inputs: dict[str, Any], scenarios: list[str]) -> list[dict[str, Any]]:
    """The same full formula per scenario (the old compare counted lost revenue only)."""
    return [
        {
            "scenario": scenario,
            "multiplier": float(formulas.SCENARIO_MULTIPLIERS[scenario]),
            "total_cost": formulas.to_cents(formulas.cost_total(base_inputs, scenario)),
            "inputs": {name: float(value) for name, value in base_inputs.items()},
        }
        for scenario in scenarios
    ]
