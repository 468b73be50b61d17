"""Hand-computed cases: every expected number below was worked out on paper from domain.md."""

from decimal import Decimal

import pytest

from assessments import formulas

ALL = formulas.QUESTION_IDS


def answers(**overrides: int) -> dict[str, int]:
    return {qid: overrides.get(qid, 4) for qid in ALL}


# --- scoring (domain.md §3.1/3.2) ---------------------------------------------------------------


def test_all_fours_score_100_everywhere():
    """Intended behaviour: the old client summed raw weights (125.71), so a perfect run scored 126
    and the old backend rejected it with 400; normalised, a perfect run is 100/100/100."""
    scores = formulas.assessment_scores({qid: 4 for qid in ALL})
    assert (scores.buyer_score, scores.tech_score, scores.overall_score) == (100, 100, 100)
    assert scores.qualification == "Qualified"


def test_all_ones_score_25_everywhere():
    scores = formulas.assessment_scores({qid: 1 for qid in ALL})
    assert (scores.buyer_score, scores.tech_score, scores.overall_score) == (25, 25, 25)
    assert scores.qualification == "Early Stage"


def test_mixed_answers_by_hand():
    """Buyer: q1..q7 = 4,3,2,1,4,3,2 and q12=1, q13=4 (weight 8.57 each) → Σr = 24 → 24/4*8.57 = 51.42;
    q14 = 4 (weight 8.58) → 8.58; total 60.00 of 85.71 → 70.003 % → 70.
    Tech: q8..q11 = 2,3,4,1 → 10/4*10 = 25 of 40 → 62.5 % → 63 (half up).
    Overall: 0.6*70 + 0.4*63 = 42 + 25.2 = 67.2 → 67 → Promising (60..79)."""
    responses = dict(q1=4, q2=3, q3=2, q4=1, q5=4, q6=3, q7=2, q8=2, q9=3, q10=4, q11=1, q12=1, q13=4, q14=4)
    scores = formulas.assessment_scores(responses)
    assert (scores.buyer_score, scores.tech_score, scores.overall_score) == (70, 63, 67)
    assert scores.qualification == "Promising"


def test_weights_and_question_texts_match_the_reference():
    assert [q.id for q in formulas.QUESTIONS if q.category == "tech"] == ["q8", "q9", "q10", "q11"]
    assert sum(q.weight for q in formulas.QUESTIONS if q.category == "buyer") == Decimal("85.71")
    assert formulas.QUESTIONS[0].text.startswith("I can name the exact three pain points")


@pytest.mark.parametrize(
    ("overall", "qualification", "level"),
    [(100, "Qualified", "Master"), (80, "Qualified", "Advanced"), (79, "Promising", "Proficient"),
     (60, "Promising", "Developing"), (59, "Developing", "Foundation"), (40, "Developing", "Early Stage"),
     (39, "Early Stage", "Early Stage")],
)  # fmt: skip
def test_qualification_and_professional_level_boundaries(overall, qualification, level):
    assert formulas.qualification_for(overall) == qualification
    assert formulas.professional_level(overall) == level


def test_top_challenge_order():
    assert formulas.top_challenge(buyer=49, tech=10, qualification="Early Stage").startswith("Customer Discovery")
    assert formulas.top_challenge(buyer=50, tech=49, qualification="Developing") == "Technical Value Translation"
    assert formulas.top_challenge(buyer=50, tech=50, qualification="Developing") == "Revenue Execution Fundamentals"
    assert formulas.top_challenge(buyer=90, tech=90, qualification="Qualified") == "Advanced Revenue Scaling"


def test_percentile_counts_ties_half():
    """Of 5: 3 below, this one plus 1 tie → (3 + 2/2) / 5 = 80 %; of 8 (3 more above) → 4/8 = 50 %;
    alone → (0 + 1/2) / 1 = 50 %."""
    assert formulas.percentile_rank(below=3, equal=2, total=5) == 80
    assert formulas.percentile_rank(below=3, equal=2, total=8) == 50
    assert formulas.percentile_rank(below=0, equal=1, total=1) == 50


def test_results_challenges_and_unlocks():
    """buyer 40, tech 70: gap 30 > 25 → high; overall round(24+28)=52 → foundation medium (≥50);
    2 slow answers → medium; unlocks: ICP (≥40) yes, business case (≥40) yes, advanced (≥60) no."""
    scores = formulas.AssessmentScores(40, 70, 52, "Developing")
    results = formulas.assessment_results(
        scores=scores, percentile=10, timings={"q1": 31_000, "q2": 45_000, "q3": 1000}, buyer_gap_reported=None
    )
    assert {c["id"]: c["severity"] for c in results["challenges"]} == {
        "buyer_tech_gap": "high", "foundation": "medium", "uncertain_answers": "medium",
    }  # fmt: skip
    assert results["buyer_gap"] == 30
    assert results["tool_unlocks"] == {
        "can_generate_icp": True, "can_build_business_case": True, "can_access_advanced_features": False,
    }  # fmt: skip
    assert [r["tool"] for r in results["recommendations"]] == ["icp_analysis"]


# --- cost of inaction (domain.md §5) ------------------------------------------------------------

CASE_REALISTIC = dict(
    potential_deals=100, average_deal_size=10_000, conversion_rate="0.2", delay_months=6,
    current_operating_cost=1_000_000, inefficiency_rate="0.1", employee_count=10, average_salary=100_000,
    market_share="0.05",
)  # fmt: skip


def test_cost_realistic_by_hand():
    """t = 6/12 = 0.5, m = 1.0.
    lost revenue   = 100*10,000*0.2*0.5           = 100,000
    operational    = 1,000,000*0.1*0.5            =  50,000
    competitive    = 0.05*(100*10,000)*0.08*0.5   =   2,000
    productivity   = 10*100,000*0.05*0.5          =  25,000
    total 177,000; monthly 14,750; daily 177,000/365 = 484.93.
    Shares: 56.50 / 28.25 / 1.13 / 14.12 %.
    ROI conservative: benefits 106,200, (106,200-25,000)/25,000 = 324.8 %, payback 25,000/8,850 = 2.82 months.
    ROI realistic: 141,600 → 183.2 %, payback 50,000/11,800 = 4.24.
    Aggressive: 177,000 → 77 %, payback 100,000/14,750 = 6.78."""
    result = formulas.cost_of_inaction(CASE_REALISTIC, "realistic")
    assert result["summary"] == {"total_cost": 177_000.0, "monthly_cost": 14_750.0, "daily_cost": 484.93}
    values = {k: (v["value"], v["percentage"]) for k, v in result["categories"].items()}
    assert values == {
        "lost_revenue": (100_000.0, 56.5), "operational_inefficiencies": (50_000.0, 28.25),
        "competitive_disadvantage": (2_000.0, 1.13), "productivity_losses": (25_000.0, 14.12),
    }  # fmt: skip
    assert result["roi_scenarios"] == {
        "conservative": {"investment": 25_000.0, "benefits": 106_200.0, "roi": 324.8, "payback_months": 2.82},
        "realistic": {"investment": 50_000.0, "benefits": 141_600.0, "roi": 183.2, "payback_months": 4.24},
        "aggressive": {"investment": 100_000.0, "benefits": 177_000.0, "roi": 77.0, "payback_months": 6.78},
    }


def test_cost_conservative_by_hand():
    """t = 1, m = 0.8: lost 50*20,000*0.25*0.8 = 200,000; operational 500,000*0.2*0.8 = 80,000;
    competitive 0.1*1,000,000*0.08*0.8 = 6,400; productivity 20*80,000*0.05*0.8 = 64,000;
    total 350,400; monthly 29,200; daily 350,400/365 = 960.00."""
    inputs = dict(
        potential_deals=50, average_deal_size=20_000, conversion_rate="0.25", delay_months=12,
        current_operating_cost=500_000, inefficiency_rate="0.2", employee_count=20, average_salary=80_000,
        market_share="0.1",
    )  # fmt: skip
    result = formulas.cost_of_inaction(inputs, "conservative")
    assert result["summary"] == {"total_cost": 350_400.0, "monthly_cost": 29_200.0, "daily_cost": 960.0}
    assert result["categories"]["competitive_disadvantage"]["value"] == 6_400.0
    assert result["categories"]["productivity_losses"]["value"] == 64_000.0


def test_cost_aggressive_by_hand():
    """t = 3/12 = 0.25, m = 1.3: lost 200*5,000*0.1*0.25*1.3 = 32,500; operational 2,000,000*0.05*0.25*1.3
    = 32,500; competitive 0.2*1,000,000*0.08*0.25*1.3 = 5,200; productivity 50*60,000*0.05*0.25*1.3 = 48,750;
    total 118,950."""
    inputs = dict(
        potential_deals=200, average_deal_size=5_000, conversion_rate="0.1", delay_months=3,
        current_operating_cost=2_000_000, inefficiency_rate="0.05", employee_count=50, average_salary=60_000,
        market_share="0.2",
    )  # fmt: skip
    result = formulas.cost_of_inaction(inputs, "aggressive")
    assert result["summary"]["total_cost"] == 118_950.0
    assert [v["value"] for v in result["categories"].values()] == [32_500.0, 32_500.0, 5_200.0, 48_750.0]


def test_competitive_factor_is_one_constant():
    """Intended behaviour: the old /calculate used 0.08 and /calculate-ai 0.1 for the competitive loss;
    every caller now goes through cost_of_inaction with one constant (0.08, what the calculator showed)."""
    assert Decimal("0.08") == formulas.COMPETITIVE_FACTOR
    only_competitive = {**CASE_REALISTIC, "conversion_rate": 0, "inefficiency_rate": 0, "average_salary": 0}
    assert formulas.cost_total(only_competitive, "realistic") == Decimal("2000")


def test_each_formula_shown_is_the_one_computed():
    """The formula strings are written from the same factors the values are computed from, so the
    constants appear in them: 0.08 (competitive) and 0.05 (productivity), as the calculator shows."""
    result = formulas.cost_of_inaction(CASE_REALISTIC, "realistic")
    shown = {name: category["formula"] for name, category in result["categories"].items()}
    assert shown == {
        "lost_revenue": "potentialDeals * averageDealSize * conversionRate * (delayMonths/12) * multiplier",
        "operational_inefficiencies": "currentOperatingCost * inefficiencyRate * (delayMonths/12) * multiplier",
        "competitive_disadvantage": (
            "marketShare * potentialDeals * averageDealSize * 0.08 * (delayMonths/12) * multiplier"
        ),
        "productivity_losses": "employeeCount * averageSalary * 0.05 * (delayMonths/12) * multiplier",
    }


def test_no_delay_costs_nothing_and_has_no_payback():
    result = formulas.cost_of_inaction({**CASE_REALISTIC, "delay_months": 0})
    assert result["summary"]["total_cost"] == 0.0
    assert {v["percentage"] for v in result["categories"].values()} == {0.0}
    assert result["roi_scenarios"]["realistic"] == {
        "investment": 50_000.0,
        "benefits": 0.0,
        "roi": -100.0,
        "payback_months": None,
    }


# --- business case (domain.md §6) ---------------------------------------------------------------


def generate(**kwargs):
    defaults = dict(
        company_size="mid-market", customer_name="Acme", success_metrics=["Win rate +10%"], current_challenges=[]
    )
    return formulas.business_case(**{**defaults, **kwargs})


def test_pilot_technology_by_hand():
    """budget 50,000: license 40 % = 20,000, implementation 30 % = 15,000, training/support 15 % = 7,500;
    ROI r = 1.5 → "50% - 125%"; benefits 50,000*1.5*1.2 (technology) = 90,000; opportunity cost 100,000;
    timeline 6 → milestones every ceil(6/3) = 2 months: 2, 4, 6; checkpoints 1, ceil(6/2) = 3, 6; weekly."""
    case = generate(case_type="pilot", budget=50_000, timeline_months=6, industry="Technology")
    assert case["investment"]["breakdown"] == {
        "platform_license": 20_000,
        "implementation": 15_000,
        "training": 7_500,
        "support": 7_500,
    }
    assert case["investment"]["expected_roi"] == "50% - 125%"
    assert case["investment"]["payback_period"] == "6-9 months"
    assert case["financial_projections"]["projected_benefits"] == 90_000
    assert case["financial_projections"]["opportunity_cost"] == 100_000
    assert [m["timeframe"] for m in case["implementation_plan"]["milestones"]] == ["Month 2", "Month 4", "Month 6"]
    assert case["measurement_plan"] == {
        "frequency": "Weekly",
        "key_checkpoints": ["Month 1", "Month 3", "Month 6"],
        "custom_metrics": ["Win rate +10%"],
    }
    assert len(case["risk_mitigation"]) == 3


def test_full_implementation_finance_enterprise_by_hand():
    """budget 250,000: 100,000 / 75,000 / 37,500 / 37,500; r = 2.5 → "150% - 275%"; benefits
    250,000*2.5*1.1 = 687,500; timeline 12: Implementation floor(7.2) = 7, Optimization floor(3.6) = 3 months,
    milestones every 4 months: 4, 8, 12; enterprise adds the approval-process risk; monthly measurement.
    (The old code labelled floor(timeline*0.6) "weeks" although timeline is in months: months here.)"""
    case = generate(
        case_type="full_implementation",
        budget=250_000,
        timeline_months=12,
        industry="finance",
        company_size="Enterprise",
    )
    assert case["investment"]["breakdown"] == {
        "platform_license": 100_000,
        "implementation": 75_000,
        "training": 37_500,
        "support": 37_500,
    }
    assert case["investment"]["expected_roi"] == "150% - 275%"
    assert case["investment"]["payback_period"] == "12-18 months"
    assert case["financial_projections"]["projected_benefits"] == 687_500
    assert [p["duration"] for p in case["implementation_plan"]["phases"]] == ["4-8 weeks", "7 months", "3 months"]
    assert [m["timeframe"] for m in case["implementation_plan"]["milestones"]] == ["Month 4", "Month 8", "Month 12"]
    assert case["risk_mitigation"][-1]["risk"] == "Complex approval processes"
    assert case["measurement_plan"]["frequency"] == "Monthly"


def test_pilot_retail_odd_budget_by_hand():
    """budget 33,333: floor(13,333.2) = 13,333, floor(9,999.9) = 9,999, floor(4,999.95) = 4,999 twice;
    benefits round(33,333*1.5*0.8 = 39,999.6) = 40,000; timeline 5: step ceil(5/3) = 2 → 2, 4, and the
    third capped at 5 (intended: the old code put it at Month 6, after the timeline ended)."""
    case = generate(case_type="pilot", budget=33_333, timeline_months=5, industry="retail")
    assert case["investment"]["breakdown"] == {
        "platform_license": 13_333,
        "implementation": 9_999,
        "training": 4_999,
        "support": 4_999,
    }
    assert case["financial_projections"]["projected_benefits"] == 40_000
    assert [m["timeframe"] for m in case["implementation_plan"]["milestones"]] == ["Month 2", "Month 4", "Month 5"]


def test_unknown_industry_multiplier_is_one():
    case = generate(case_type="pilot", budget=10_000, timeline_months=3, industry="agriculture")
    assert case["financial_projections"]["projected_benefits"] == 15_000


def test_simple_one_pager_by_hand():
    """total 2,450,000 → "$2.5M" (2.45 half up); lost 1,200,000 → "$1.2M"; prospecting 85,000 → "$85K"."""
    page = formulas.business_case_simple(
        cost=dict(total_cost=2_450_000, lost_revenue=1_200_000, delay_months=6, potential_deals=40,
                  inefficient_prospecting=85_000, poor_messaging=120_499),
        product={"product_name": "Acme", "business_model": "b2b-subscription"}, icp=None,
    )  # fmt: skip
    assert page["executive_summary"]["total_cost_formatted"] == "$2.5M"
    assert page["executive_summary"]["top_findings"] == [
        "$1.2M in lost revenue opportunity", "6 months average sales cycle delay", "40 qualified opportunities at risk",
    ]  # fmt: skip
    assert page["metrics"]["inefficient_prospecting"]["formatted"] == "$85K"
    assert page["metrics"]["poor_messaging"]["formatted"] == "$120K"
    assert page["product_context"] == {"name": "Acme", "business_model": "b2b-subscription"}
    assert page["icp_context"] is None
    assert len(page["next_steps"]) == 5


# --- progress (domain.md §13) --------------------------------------------------------------------


def test_milestone_weights_and_completion():
    assert [m.weight for m in formulas.MILESTONES] == [10, 25, 25, 30, 10]
    assert formulas.progress_completion_percentage({"initial_setup", "cost_calculation"}) == 35
    assert formulas.progress_estimated_days(35) == 130


def test_export_needs_two_other_milestones():
    assert formulas.milestones_triggered(action="content_exported", completed={"initial_setup"}) == []
    assert formulas.milestones_triggered(action="content_exported", completed={"initial_setup", "icp_analysis"}) == [
        "export_delivery"
    ]
    assert formulas.milestones_triggered(action="cost_calculated", completed={"cost_calculation"}) == []


def test_engagement_score_by_hand():
    """35 % *0.6 = 21, + 20 (action < 1 day ago) + 2 milestones *5 = 51; 4 days ago → +5 → 36;
    100 % → 60 + 20 + 25 = 105 → capped 100."""
    assert formulas.engagement_score(percentage=35, completed_count=2, days_since_last_action=0.5) == 51
    assert formulas.engagement_score(percentage=35, completed_count=2, days_since_last_action=4) == 36
    assert formulas.engagement_score(percentage=100, completed_count=5, days_since_last_action=0.1) == 100
