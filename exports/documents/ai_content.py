"""Documents of the AI-generated content: ICP analysis, buyer personas, company ratings, resources."""

from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from assessments import ai_selectors
from exports.content import BarChart, Block, BulletList, Column, Document, Facts, Heading, Paragraph, Section, Table
from exports.documents import (
    DocumentRequest,
    DocumentType,
    document_type_register,
    record_document_type,
    record_get,
    record_ids,
)
from platform_core.models import Customer

FIT_PARTS = {
    "industryFit": "Industry fit",
    "companySizeFit": "Company size fit",
    "painPointAlignment": "Pain point alignment",
    "buyerPersonaMatch": "Buyer persona match",
}


def _lists(pairs: list[tuple[str, Any]]) -> list[Block]:
    """A heading and a bullet list per non-empty list."""
    blocks: list[Block] = []
    for title, items in pairs:
        if items:
            blocks += [Heading(title), BulletList([str(item) for item in items])]
    return blocks


def _generated_by(row: Any) -> Facts:
    return Facts(
        [("Generated", f"{row.created_at:%Y-%m-%d}", "text"), ("Source", f"{row.source} · {row.model}", "text")]
    )


# --- ICP analysis ----------------------------------------------------------------------------------


def icp_sections(icp: Any) -> list[Section]:
    content = icp.content
    segments = content.get("segments") or []
    criteria = content.get("ratingCriteria") or []
    return [
        Section("Overview", [Paragraph(content.get("description") or ""), _generated_by(icp)]),
        Section(
            "Segments",
            [
                BarChart("Segment fit", [s["name"] for s in segments], [float(s["score"]) for s in segments], "score"),
                Table(
                    [Column("Segment"), Column("Score", "score"), Column("Criteria")],
                    [[s["name"], s["score"], "; ".join(s.get("criteria") or [])] for s in segments],
                ),
            ],
        ),
        Section(
            "Signals",
            _lists([("Key indicators", content.get("keyIndicators")), ("Red flags", content.get("redFlags"))]),
        ),
        Section(
            "Rating criteria",
            [
                Table(
                    [Column("Criterion"), Column("Weight", "number"), Column("What it measures")],
                    [[c["name"], c["weight"], c["description"]] for c in criteria],
                )
            ],
        ),
    ]


def icps(customer: Customer) -> Any:
    return ai_selectors.icp_analysis_list_for_customer(customer=customer).order_by("-created_at")


ICP_ANALYSIS = record_document_type(
    name="icp-analysis",
    title="ICP Analysis",
    description="The ideal customer profile: segments and their fit, signals, red flags and rating criteria.",
    label="ICP analysis",
    records=icps,
    sections=icp_sections,
    subtitle=lambda icp, _customer: icp.title,
)


# --- Buyer personas ----------------------------------------------------------------------------------


def persona_sections(persona_set: Any) -> list[Section]:
    personas = persona_set.personas
    overview = Section(
        "Overview",
        [
            Facts(
                [
                    ("Industry", persona_set.industry, "text"),
                    ("Target market", persona_set.target_market, "text"),
                    ("Company context", persona_set.company_context, "text"),
                ]
            ),
            Table(
                [Column("Persona"), Column("Level"), Column("Budget authority"), Column("Role in the purchase")],
                [
                    [
                        p["title"],
                        p.get("level"),
                        p.get("buyingBehavior", {}).get("budgetAuthority"),
                        p.get("buyingBehavior", {}).get("buyingProcessRole"),
                    ]
                    for p in personas
                ],
            ),
            _generated_by(persona_set),
        ],
    )
    return [overview, *(_persona_section(p) for p in personas)]


def _persona_section(persona: dict[str, Any]) -> Section:
    demographics = persona.get("demographics") or {}
    mind = persona.get("psychographics") or {}
    buying = persona.get("buyingBehavior") or {}
    facts = Facts([
        ("Level", persona.get("level"), "text"),
        ("Company size", demographics.get("companySize"), "text"),
        ("Revenue", demographics.get("revenue"), "text"),
        ("Industry", demographics.get("industryVertical"), "text"),
        ("Region", demographics.get("region"), "text"),
        ("Experience", demographics.get("yearsExperience"), "text"),
        ("Budget authority", buying.get("budgetAuthority"), "text"),
        ("Role in the purchase", buying.get("buyingProcessRole"), "text"),
    ])  # fmt: skip
    lists = _lists([
        ("Goals", mind.get("goals")), ("Challenges", mind.get("challenges")),
        ("Motivations", mind.get("motivations")), ("Fears", mind.get("fears")), ("Values", mind.get("values")),
        ("Decision criteria", buying.get("decisionCriteria")),
        ("Information sources", buying.get("informationSources")),
        ("Preferred channels", buying.get("preferredChannels")),
    ])  # fmt: skip
    return Section(persona["title"], [facts, *lists])


def persona_sets(customer: Customer) -> Any:
    return ai_selectors.persona_set_list_for_customer(customer=customer).order_by("-created_at")


BUYER_PERSONAS = record_document_type(
    name="buyer-personas",
    title="Buyer Personas",
    description="Each persona's demographics, goals, fears and buying behaviour.",
    label="persona set",
    records=persona_sets,
    sections=persona_sections,
    subtitle=lambda persona_set, _customer: f"{len(persona_set.personas)} personas · {persona_set.industry}",
)


# --- Company ratings (one, or a batch as a table) ------------------------------------------------------

RATINGS_MAX = 50  # a batch job rates at most 50 companies (domain.md §4.3)


def rating_sections(rated: list[Any], *, detail: bool = True) -> Iterator[Section]:
    """The ranked table (for more than one), then a section per company unless only the table is wanted."""
    rated = sorted(rated, key=lambda r: -r.score)
    if len(rated) > 1 or not detail:
        yield Section(
            "Ratings",
            [
                BarChart("ICP fit score", [r.company_name for r in rated], [float(r.score) for r in rated], "score"),
                Table(
                    [Column("Company"), Column("Score", "score"), Column("Fit"), Column("Recommendation")],
                    ([r.company_name, r.score, r.fit_level, r.recommendation] for r in rated),
                ),
            ],
        )
    for rating in rated if detail else []:
        breakdown = rating.breakdown or {}
        parts = [name for name in FIT_PARTS if name in breakdown]
        yield Section(
            rating.company_name,
            [
                Facts(
                    [
                        ("Company", rating.company_url, "text"),
                        ("ICP fit score", rating.score, "score"),
                        ("Fit level", rating.fit_level, "text"),
                    ]
                ),
                Table(
                    [Column("Part"), Column("Score (of 25)", "score"), Column("Why")],
                    [[FIT_PARTS[n], breakdown[n].get("score"), breakdown[n].get("explanation", "")] for n in parts],
                ),
                Paragraph(rating.reasoning),
                *_lists([("Strengths", rating.strengths), ("Concerns", rating.concerns)]),
                *([Paragraph(f"Recommendation: {rating.recommendation}")] if rating.recommendation else []),
            ],
        )


def ratings(customer: Customer) -> Any:
    return ai_selectors.company_rating_list_for_customer(customer=customer).order_by("-created_at")


def _ratings_clean(customer: Customer, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("ids"):
        return {"ids": list(ratings(customer).values_list("pk", flat=True)[:RATINGS_MAX])}
    return record_ids(
        params, fetch=lambda pk: ratings(customer).get(pk=pk), latest=lambda: None, label="company rating", many=True
    )


def _ratings_build(request: DocumentRequest) -> Document:
    ids = request.params["ids"]
    by_id = {r.pk: r for r in ratings(request.customer).filter(pk__in=ids)}
    rated = sorted((record_get(by_id.__getitem__, pk, label="company rating") for pk in ids), key=lambda r: -r.score)
    return Document(
        kind="company-ratings", title="Company Rating" if len(rated) == 1 else "Company Ratings",
        customer_name=request.customer.name,
        subtitle=", ".join(r.company_name for r in rated[:5]) + (" …" if len(rated) > 5 else ""),
        generated_at=timezone.now(), sections=rating_sections(rated), branding=request.branding,
    )  # fmt: skip


COMPANY_RATINGS = document_type_register(
    DocumentType(
        name="company-ratings",
        title="Company Ratings",
        description="ICP fit of rated companies: one company in detail, or a batch as a ranked table.",
        build=_ratings_build,
        available=lambda customer: ratings(customer).exists(),
        clean_params=_ratings_clean,
    )
)


# --- Generated resources (strategic assets) -------------------------------------------------------------


def resource_sections(generated: Any) -> list[Section]:
    content, resource = generated.content, generated.resource
    about = Facts([
        ("Asset", f"{resource.asset_number}. {resource.title}", "text"),
        ("Tier", resource.get_tier_display(), "text"), ("Category", resource.category, "text"),
        ("Consulting equivalent", resource.consulting_equivalent, "text"),
    ])  # fmt: skip
    body = [
        Section(str(part.get("heading") or ""), [Paragraph(p) for p in str(part.get("body") or "").split("\n\n") if p])
        for part in content.get("sections") or []
    ]
    return [Section("Summary", [Paragraph(content.get("summary") or ""), about, _generated_by(generated)]), *body]


def _resource(customer: Customer, code: str) -> Any:
    return ai_selectors.generated_resource_latest_for_customer(customer=customer, code=code)


def _resource_latest(customer: Customer) -> Any:
    generated = [r["code"] for r in ai_selectors.resource_library_for_customer(customer=customer) if r["is_generated"]]
    return generated[0] if generated else None


RESOURCE = record_document_type(
    name="resource",
    title="Strategic Asset",
    description="A generated resource of the library (id: the asset code), latest version.",
    label="resource",
    fetch=_resource,
    latest=_resource_latest,  # the latest generated asset's code: the id is the code
    sections=resource_sections,
    document_title=lambda generated: generated.content.get("title") or generated.resource.title,
    subtitle=lambda generated, _customer: (
        f"Strategic asset {generated.resource.asset_number}: {generated.resource.title}"
    ),
    key=lambda code: code,
    parse=str,
)
