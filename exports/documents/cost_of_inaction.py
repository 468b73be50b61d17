"""The cost-of-inaction analysis of a saved calculation: what waiting costs, by category and scenario."""

from typing import Any

from assessments import selectors as assessment_selectors
from exports.content import BarChart, Column, Facts, Kind, Paragraph, Section, Table
from exports.documents import record_document_type
from platform_core.models import Customer

CATEGORY_TITLES = {
    "lost_revenue": "Lost revenue",
    "operational_inefficiencies": "Operational inefficiencies",
    "competitive_disadvantage": "Competitive disadvantage",
    "productivity_losses": "Productivity losses",
}
CATEGORY_COLUMNS = ("value", "percentage", "formula")
INPUT_TITLES: list[tuple[str, str, Kind]] = [
    ("potential_deals", "Potential deals", "number"),
    ("average_deal_size", "Average deal size", "money"),
    ("conversion_rate", "Conversion rate", "number"),
    ("delay_months", "Delay (months)", "number"),
    ("current_operating_cost", "Current operating cost", "money"),
    ("inefficiency_rate", "Inefficiency rate", "number"),
    ("employee_count", "Employees", "number"),
    ("average_salary", "Average salary", "money"),
    ("market_share", "Market share", "number"),
]


def sections(calculation: Any) -> list[Section]:
    result = calculation.result
    summary, categories = result["summary"], result["categories"]
    names = [name for name in CATEGORY_TITLES if name in categories]
    return [
        Section(
            "Summary",
            [
                Facts(
                    [
                        ("Total cost of inaction", summary["total_cost"], "money"),
                        ("Per month", summary["monthly_cost"], "money"),
                        ("Per day", summary["daily_cost"], "money"),
                        ("Scenario", str(result["scenario"]).capitalize(), "text"),
                        ("Delay (months)", calculation.delay_months, "number"),
                    ]
                ),
                *([Paragraph(calculation.notes)] if calculation.notes else []),
            ],
        ),
        Section(
            "Cost categories",
            [
                BarChart(
                    "Cost by category",
                    [CATEGORY_TITLES[n] for n in names],
                    [float(categories[n]["value"]) for n in names],
                    "money",
                ),
                Table(
                    [Column("Category"), Column("Cost", "money"), Column("Share", "percent"), Column("Formula")],
                    [[CATEGORY_TITLES[n], *(categories[n][k] for k in CATEGORY_COLUMNS)] for n in names],
                ),
            ],
        ),
        Section(
            "Return on acting now",
            [
                Table(
                    [
                        Column("Scenario"),
                        Column("Investment", "money"),
                        Column("Benefits", "money"),
                        Column("ROI", "percent"),
                        Column("Payback (months)", "number"),
                    ],
                    [
                        [name.capitalize(), roi["investment"], roi["benefits"], roi["roi"], roi["payback_months"]]
                        for name, roi in result["roi_scenarios"].items()
                    ],
                )
            ],
        ),
        Section("Inputs", [Facts([(title, getattr(calculation, field), kind) for field, title, kind in INPUT_TITLES])]),
    ]


def _calculation(customer: Customer, calculation_id: int) -> Any:
    return assessment_selectors.cost_calculation_get_for_customer(customer=customer, calculation_id=calculation_id)


def latest(customer: Customer) -> Any:
    return assessment_selectors.cost_calculation_list_for_customer(customer=customer).first()


COST_OF_INACTION = record_document_type(
    name="cost-of-inaction",
    title="Cost of Inaction Analysis",
    description="What delay costs per year, month and day, by category, with ROI scenarios.",
    label="cost calculation",
    fetch=_calculation,
    latest=latest,
    sections=sections,
    subtitle=lambda calculation, _customer: calculation.name or f"{str(calculation.scenario).capitalize()} scenario",
)
