"""Documents of the AI content (ICP, personas, company ratings, resources), read back by parsers."""

import pytest

from assessments.models import CompanyRating, GeneratedResource, IcpAnalysis, PersonaSet, ResourceDefinition
from tests.exports.test_api import request_export
from tests.exports.test_documents import exported, file_text
from tests.platform_core.factories import UserFactory

pytestmark = pytest.mark.django_db
GENERATED = {"source": "offline", "model": "offline-v1"}


def icp(customer):
    segments = [
        {"name": "Mid-market 3PLs", "score": 86, "criteria": ["200-2000 staff", "WMS in place"]},
        {"name": "Regional carriers", "score": 64, "criteria": ["Own fleet"]},
        {"name": "Retail DCs", "score": 41, "criteria": ["Seasonal peaks"]},
    ]
    criteria = [{"name": f"Criterion {i}", "weight": 25, "description": f"Measures thing {i}"} for i in range(4)]
    content = {
        "title": "Logistics ICP", "description": "Warehouses that quote robot fleets weekly.", "segments": segments,
        "keyIndicators": [f"Indicator {i}" for i in range(5)], "redFlags": ["No WMS", "Under 50 staff", "No budget"],
        "ratingCriteria": criteria,
    }  # fmt: skip
    return IcpAnalysis.objects.create(customer=customer, title="Logistics ICP", content=content, **GENERATED)


def persona(title, level, authority):
    return {
        "title": title, "level": level,
        "demographics": {"companySize": "500-2000", "revenue": "$50M+", "industryVertical": "Logistics",
                         "region": "EMEA", "yearsExperience": "10+"},
        "psychographics": {"goals": [f"{title} goal"], "challenges": ["Peak season"], "motivations": ["Uptime"],
                           "fears": [f"{title} fear"], "values": ["Safety"]},
        "buyingBehavior": {"decisionCriteria": ["TCO"], "budgetAuthority": authority, "buyingProcessRole": "Signer",
                           "informationSources": ["Peers"], "preferredChannels": ["Email"]},
    }  # fmt: skip


def rating(customer, name, score):
    breakdown = {
        part: {"score": value, "explanation": f"{part} of {name}"}
        for part, value in zip(
            ("industryFit", "companySizeFit", "painPointAlignment", "buyerPersonaMatch"),
            (score // 4 + score % 4, score // 4, score // 4, score // 4),
            strict=True,
        )
    }
    return CompanyRating.objects.create(
        customer=customer, company_url=f"https://{name}.example.com", company_name=f"{name}.example.com",
        score=score, fit_level="Excellent" if score >= 80 else "Fair", reasoning=f"{name} reasoning is long enough",
        breakdown=breakdown, strengths=[f"{name} strength"], concerns=[f"{name} concern"],
        recommendation=f"Call {name}", **GENERATED,
    )  # fmt: skip


@pytest.mark.parametrize("fmt", ["pdf", "docx", "csv", "markdown", "json"])
def test_icp_analysis(auth_client, user, fmt):
    icp(user.customer)
    text = file_text(exported(auth_client, "icp-analysis", fmt))
    for expected in ["ICP Analysis", "Logistics ICP", "Mid-market 3PLs", "Regional carriers", "WMS in place",
                     "Indicator 4", "No WMS", "Criterion 3", "Measures thing 0", "86", "64", "41"]:  # fmt: skip
        assert expected in text


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_buyer_personas(auth_client, user, fmt):
    PersonaSet.objects.create(
        customer=user.customer, company_context="Robot fleet quoting", industry="Logistics", target_market="EMEA",
        personas=[persona("VP Operations", "VP", "Approves"), persona("Warehouse Manager", "Manager", "Recommends"),
                  persona("CFO", "C-Suite", "Controls")], **GENERATED,
    )  # fmt: skip
    text = file_text(exported(auth_client, "buyer-personas", fmt))
    assert "Buyer Personas" in text and "3 personas · Logistics" in text
    for name, authority in [("VP Operations", "Approves"), ("Warehouse Manager", "Recommends"), ("CFO", "Controls")]:
        assert name in text and authority in text and f"{name} goal" in text and f"{name} fear" in text
    assert "Budget authority" in text and "Preferred channels" in text


def test_one_company_rating_in_detail(auth_client, user):
    single = rating(user.customer, "acme", 87)
    rating(user.customer, "globex", 45)
    text = file_text(exported(auth_client, "company-ratings", "pdf", ids=[str(single.pk)]))
    assert "Company Rating" in text and "acme.example.com" in text and "globex" not in text
    assert "Industry fit" in text and "industryFit of acme" in text and "acme strength" in text
    assert "Call acme" in text and "87" in text


@pytest.mark.parametrize("fmt", ["csv", "markdown"])
def test_a_batch_of_ratings_is_a_ranked_table(auth_client, user, fmt):
    for name, score in [("initech", 52), ("acme", 87), ("globex", 23)]:
        rating(user.customer, name, score)
    rating(UserFactory().customer, "hooli", 99)  # another customer's: never in this export
    export = exported(auth_client, "company-ratings", fmt)
    assert len(export.params["ids"]) == 3
    text = file_text(export)
    assert "Company Ratings" in text and "hooli" not in text
    ranked = [line for line in text.splitlines() if "Call " in line and ".example.com" in line]
    assert [name for line in ranked for name in ("acme", "initech", "globex") if f"Call {name}" in line] == [
        "acme", "initech", "globex",
    ]  # fmt: skip
    assert "87" in ranked[0] and "52" in ranked[1] and "23" in ranked[2]


def test_a_generated_resource(auth_client, user):
    definition = ResourceDefinition.objects.order_by("asset_number")[0]  # the library ships with 38
    GeneratedResource.objects.create(
        customer=user.customer, resource=definition,
        content={"title": "Your ICP Framework", "summary": "Who buys and why.",
                 "sections": [{"heading": f"Part {i}", "body": f"Body {i} first.\n\nBody {i} second."}
                              for i in range(3)]},
        **GENERATED,
    )  # fmt: skip
    text = file_text(exported(auth_client, "resource", "markdown", ids=[definition.code]))
    lines = text.splitlines()
    assert lines[0] == "# Your ICP Framework" and "## Part 2" in lines and "Body 2 second." in lines
    assert f"{definition.asset_number}. {definition.title}" in text

    response = request_export(auth_client, "pdf", document="resource", ids=["no-such-asset"])
    assert response.status_code == 404


def test_comprehensive_report_with_ai_sections(auth_client, user):
    icp(user.customer)
    rating(user.customer, "acme", 87)
    text = file_text(exported(auth_client, "comprehensive-report", "pdf", sections=["icp", "company-ratings"]))
    assert "ICP: Segments" in text and "Mid-market 3PLs" in text and "Ratings: Ratings" in text
    assert "acme.example.com" in text and "acme strength" not in text  # the ranked table, not the details
    response = request_export(auth_client, "pdf", document="comprehensive-report", sections=["personas"])
    assert response.status_code == 400  # no persona set yet


def test_ai_documents_are_offered_once_their_content_exists(auth_client, user):
    assert auth_client.get("/api/v1/exports/documents/").json() == []
    icp(user.customer)
    offered = [d["name"] for d in auth_client.get("/api/v1/exports/documents/").json()]
    assert offered == ["icp-analysis", "comprehensive-report"]
