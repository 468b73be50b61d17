"""Cost of inaction (domain.md §5): four categories over the delay, a scenario multiplier, ROI."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assessments.formulas.numbers import as_decimal, to_cents

SCENARIO_MULTIPLIERS = {"conservative": Decimal("0.8"), "realistic": Decimal("1.0"), "aggressive": Decimal("1.3")}
# The old /calculate and /calculate-ai used two different constants for the same thing; one now (the
# one the visible calculator showed), used by every caller of cost_of_inaction().
COMPETITIVE_FACTOR = Decimal("0.08")
PRODUCTIVITY_FACTOR = Decimal("0.05")
ROI_SCENARIOS = {  # name: (fixed investment, share of the cost of inaction recovered)
    "conservative": (Decimal(25_000), Decimal("0.6")),
    "realistic": (Decimal(50_000), Decimal("0.8")),
    "aggressive": (Decimal(100_000), Decimal("1.0")),
}
COST_INPUT_RANGES: dict[str, tuple[Decimal, Decimal]] = {
    "potential_deals": (Decimal(0), Decimal(10_000)),
    "average_deal_size": (Decimal(0), Decimal(10_000_000)),
    "conversion_rate": (Decimal(0), Decimal(1)),
    "delay_months": (Decimal(0), Decimal(24)),
    "current_operating_cost": (Decimal(0), Decimal(100_000_000)),
    "inefficiency_rate": (Decimal(0), Decimal(1)),
    "employee_count": (Decimal(1), Decimal(100_000)),
    "average_salary": (Decimal(0), Decimal(1_000_000)),
    "market_share": (Decimal(0), Decimal(1)),
}
MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class CostCategory:
    """A category's yearly cost is the product of its factors (inputs by name, or constants) over the
    delay in years, times the scenario's multiplier; the formula shown is written from the same factors."""

    factors: tuple[str | Decimal, ...]
    description: str

    @property
    def formula(self) -> str:
        terms = [_camel(f) if isinstance(f, str) else str(f) for f in self.factors]
        return " * ".join([*terms, f"({_camel('delay_months')}/{MONTHS_PER_YEAR})", "multiplier"])

    def value(self, inputs: dict[str, Decimal], multiplier: Decimal) -> Decimal:
        product = Decimal(1)
        for factor in self.factors:
            product *= inputs[factor] if isinstance(factor, str) else factor
        return product * (inputs["delay_months"] / MONTHS_PER_YEAR) * multiplier


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


COST_CATEGORIES = {
    "lost_revenue": CostCategory(
        ("potential_deals", "average_deal_size", "conversion_rate"),
        "Revenue from deals that close later (or never) while the problem persists",
    ),
    "operational_inefficiencies": CostCategory(
        ("current_operating_cost", "inefficiency_rate"),
        "Operating spend wasted on inefficient processes",
    ),
    "competitive_disadvantage": CostCategory(
        ("market_share", "potential_deals", "average_deal_size", COMPETITIVE_FACTOR),
        "Pipeline lost to competitors who move first",
    ),
    "productivity_losses": CostCategory(
        ("employee_count", "average_salary", PRODUCTIVITY_FACTOR),
        "Team time lost to manual work and rework",
    ),
}


def cost_total(inputs: dict[str, Any], scenario: str) -> Decimal:
    """The unrounded cost of inaction for one scenario (sum of the four categories)."""
    return sum(_cost_categories(inputs, scenario).values(), Decimal(0))


def _cost_categories(inputs: dict[str, Any], scenario: str) -> dict[str, Decimal]:
    values = {name: as_decimal(inputs[name]) for name in COST_INPUT_RANGES}
    multiplier = SCENARIO_MULTIPLIERS[scenario]
    return {name: category.value(values, multiplier) for name, category in COST_CATEGORIES.items()}


def _percent(part: Decimal, whole: Decimal) -> float:
    return to_cents(part / whole * 100) if whole else 0.0


def cost_of_inaction(inputs: dict[str, Any], scenario: str = "realistic") -> dict[str, Any]:
    """Money to cents, percentages, ROI and payback months to 2 decimals (payback None when nothing is lost)."""
    categories = _cost_categories(inputs, scenario)
    total = sum(categories.values(), Decimal(0))
    roi = {}
    for name, (investment, share) in ROI_SCENARIOS.items():
        benefits = total * share
        roi[name] = {
            "investment": float(investment),
            "benefits": to_cents(benefits),
            "roi": to_cents((benefits - investment) / investment * 100),
            "payback_months": to_cents(investment / (benefits / 12)) if benefits else None,
        }
    return {
        "scenario": scenario,
        "multiplier": float(SCENARIO_MULTIPLIERS[scenario]),
        "summary": {
            "total_cost": to_cents(total),
            "monthly_cost": to_cents(total / 12),
            "daily_cost": to_cents(total / 365),
        },
        "categories": {
            name: {
                "formula": COST_CATEGORIES[name].formula,
                "value": to_cents(value),
                "description": COST_CATEGORIES[name].description,
                "percentage": _percent(value, total),
            }
            for name, value in categories.items()
        },
        "roi_scenarios": roi,
    }  # fmt: skip
