"""Each document type, from records made by the assessments services, in every format, read back by a parser."""

import csv
import io
import json
from decimal import Decimal

import docx
import pypdf
import pytest
from django.core.files.storage import storages

from assessments.services.business_cases import business_case_generate, business_case_generate_simple
from assessments.services.costs import cost_calculation_save
from assessments.services.sessions import assessment_calculate
from exports.models import Export
from tests.assessments.factories import CompletedSessionFactory, ProductFactory
from tests.exports.test_api import request_export, run_render
from tests.platform_core.factories import UserFactory

pytestmark = pytest.mark.django_db

FORMATS = ["pdf", "docx", "csv", "markdown", "json"]
COST_INPUTS = {
    "potential_deals": Decimal(100), "average_deal_size": Decimal(50_000), "conversion_rate": Decimal("0.2"),
    "delay_months": Decimal(6), "current_operating_cost": Decimal(1_000_000), "inefficiency_rate": Decimal("0.1"),
    "employee_count": 20, "average_salary": Decimal(100_000), "market_share": Decimal("0.05"),
}  # fmt: skip
# lost revenue 500,000 + operations 50,000 + competitive 10,000 + productivity 50,000 (domain.md §5)
COST_TOTAL = 610_000


def file_text(export: Export) -> str:
    """What a reader of the file sees, through the format's own parser."""
    with storages["default"].open(export.file_key, "rb") as file:
        data = file.read()
    if export.format == "pdf":
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    if export.format == "docx":
        document = docx.Document(io.BytesIO(data))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if export.format == "csv":
        return "\n".join(",".join(row) for row in csv.reader(io.StringIO(data.decode())))
    if export.format == "json":
        return json.dumps(json.loads(data))
    return data.decode()


def money(fmt: str, value: float) -> str:
    """How an amount reads: formatted in documents, raw in data formats."""
    if fmt in ("csv", "json"):
        return str(float(value))
    return f"${value:,.0f}"


def exported(client, document, fmt, **params):
    response = request_export(client, fmt, document=document, **params)
    assert response.status_code == 202, response.json()
    export = run_render(response.json()["exportId"])
    assert export.status == "ready", export.job.error
    return export


@pytest.fixture
def cost(user):
    return cost_calculation_save(
        customer=user.customer, user=user, inputs=COST_INPUTS, scenario="realistic", name="FY27 pipeline"
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_cost_of_inaction_analysis(auth_client, cost, fmt):
    export = exported(auth_client, "cost-of-inaction", fmt)
    assert export.params == {"ids": [cost.pk]}  # the latest calculation, fixed at request time
    text = file_text(export)
    for title in ["Cost of Inaction Analysis", "Summary", "Cost categories", "Lost revenue", "Return on acting now"]:
        assert title in text
    for amount in [COST_TOTAL, 500_000, 50_000, 10_000]:
        assert money(fmt, amount) in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_business_case(auth_client, user, fmt):
    case = business_case_generate(
        customer=user.customer, user=user, case_type="pilot", budget=Decimal(100_000), timeline_months=6,
        industry="technology", company_size="enterprise", success_metrics=["Win rate up 10 points"],
        current_challenges=["Long sales cycles"],
    )  # fmt: skip
    text = file_text(exported(auth_client, "business-case", fmt, ids=[str(case.pk)]))
    assert case.title in text and "Executive summary" in text and "Implementation plan" in text
    assert "50% - 125%" in text and "Complex approval processes" in text and "Win rate up 10 points" in text
    number = (lambda v: str(v)) if fmt in ("csv", "json") else (lambda v: f"${v:,}")
    # budget split 40/30/15/15 %, benefits = budget x 1.5 (pilot) x 1.2 (technology)
    for amount in [100_000, 40_000, 30_000, 15_000, 180_000, 200_000]:
        assert number(amount) in text


@pytest.mark.parametrize("fmt", ["pdf", "json"])
def test_one_page_investment_case(auth_client, user, cost, fmt):
    case = business_case_generate_simple(customer=user.customer, user=user, cost_analysis=None, icp=None)
    text = file_text(exported(auth_client, "business-case", fmt, ids=[str(case.pk)]))
    assert "Revenue Intelligence Investment Case" in text and "Next steps" in text
    assert "Review ICP Analysis" in text and "$0.5M in lost revenue opportunity" in text
    for amount in [COST_TOTAL, 500_000, 50_000, 10_000]:
        assert money(fmt, amount) in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_assessment_report(auth_client, user, fmt):
    session = CompletedSessionFactory(
        customer=user.customer, status="linked", answers=2, company_name="Acme Robotics", product_name="RoboQuote"
    )
    assessment_calculate(session_id=session.session_id)
    session.refresh_from_db()
    text = file_text(exported(auth_client, "assessment-report", fmt))
    assert "Assessment Report" in text and "Acme Robotics" in text and "RoboQuote" in text
    assert "Scores" in text and "Challenges" in text and "Answers" in text
    lines = text.splitlines()
    for label, score in [
        ("Overall revenue readiness", session.overall_score),
        ("Customer understanding (buyer score)", session.buyer_score),
        ("Technical value translation (tech score)", session.tech_score),
        ("Qualification", session.qualification),
    ]:
        assert any(label in line and str(score) in line for line in lines) or f"{label}\n{score}" in text
    assert "Not Sure" in text  # every answer 2 of 4
    assert "Build your ICP" in text and "Quantify the cost of inaction" in text  # buyer and tech under 60


@pytest.mark.parametrize("fmt", ["docx", "markdown"])
def test_product_details_primary_first(auth_client, user, fmt):
    ProductFactory(customer=user.customer, product_name="Side Project", is_primary=False)
    ProductFactory(customer=user.customer, product_name="RoboQuote", is_primary=True, industry="Fintech")
    text = file_text(exported(auth_client, "product-details", fmt))
    assert "Product Details" in text and "Fintech" in text and "B2B subscription" in text
    assert text.index("RoboQuote (primary)") < text.rindex("Side Project")  # the sections, after the subtitle


@pytest.mark.parametrize("fmt", ["pdf", "csv"])
def test_comprehensive_report_with_chosen_sections(auth_client, user, cost, fmt):
    business_case_generate_simple(customer=user.customer, user=user, cost_analysis=None, icp=None)
    export = exported(auth_client, "comprehensive-report", fmt, sections=["cost-of-inaction", "business-case"])
    text = file_text(export)
    assert "Comprehensive Report" in text
    assert "Cost of inaction: Summary" in text and "Business case: Executive summary" in text
    assert "Assessment: Scores" not in text and "Progress: Milestones" not in text
    assert money(fmt, COST_TOTAL) in text

    everything = file_text(exported(auth_client, "comprehensive-report", fmt))
    assert "Progress: Milestones" in everything and "Cost of Inaction" in everything  # the milestone table
    assert "Assessment: Scores" not in everything  # no assessment: the section is left out, not stubbed


def test_documents_are_offered_only_when_their_data_exists(auth_client, user):
    assert auth_client.get("/api/v1/exports/documents/").json() == []
    response = request_export(auth_client, "pdf", document="cost-of-inaction")
    assert response.status_code == 409 and response.json()["error"]["code"] == "nothing_to_export"

    cost_calculation_save(customer=user.customer, user=user, inputs=COST_INPUTS, scenario="conservative")
    offered = [d["name"] for d in auth_client.get("/api/v1/exports/documents/").json()]
    assert offered == ["cost-of-inaction", "comprehensive-report"]


def test_another_customers_record_is_404_and_a_bad_id_400(auth_client, cost):
    other = UserFactory()
    theirs = cost_calculation_save(customer=other.customer, user=other, inputs=COST_INPUTS, scenario="realistic")
    response = request_export(auth_client, "pdf", document="cost-of-inaction", ids=[str(theirs.pk)])
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"

    response = request_export(auth_client, "pdf", document="cost-of-inaction", ids=["twelve"])
    assert response.status_code == 400 and "ids" in response.json()["error"]["details"]
    response = request_export(auth_client, "pdf", document="cost-of-inaction", ids=[str(cost.pk), str(cost.pk)])
    assert response.status_code == 400
    response = request_export(auth_client, "pdf", document="comprehensive-report", sections=["assessment"])
    assert response.status_code == 400
    assert "assessment" in response.json()["error"]["details"]["sections"][0]
    response = request_export(auth_client, "pdf", document="comprehensive-report", sections=["icp"])
    assert response.status_code == 400
    assert not Export.objects.exists()


def test_a_record_deleted_before_the_render_fails_the_job_with_its_reason(auth_client, cost):
    export_id = request_export(auth_client, "pdf", document="cost-of-inaction").json()["exportId"]
    cost.delete()
    export = run_render(export_id)
    assert export.job.status == "failed" and export.job.error_code == "source_missing"
    assert not storages["default"].exists(export.file_key)
