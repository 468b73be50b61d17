"""The offline provider: with no API key configured, structurally valid content built from the inputs.

Deterministic (the same inputs give the same output) and marked "source": "offline" by the caller.
It is never used when a provider key is configured.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

OFFLINE_MODEL = "offline-v1"

Builder = Callable[[dict[str, Any]], dict[str, Any]]


def _seed(context: dict[str, Any]) -> int:
    return int(hashlib.sha256(json.dumps(context, sort_keys=True, default=str).encode()).hexdigest()[:8], 16)


def _product(context: dict[str, Any]) -> tuple[str, str]:
    product = context.get("product_info") or {}
    name = product.get("name") or context.get("product_name") or "your product"
    description = product.get("description") or context.get("company_context") or "a B2B product"
    return str(name), str(description)


def build_icp(context: dict[str, Any]) -> dict[str, Any]:
    name, description = _product(context)
    industry = context.get("industry") or "Technology"
    seed = _seed(context)
    sizes = ["50-200 employees", "200-1,000 employees", "1,000-5,000 employees"]
    return {
        "title": f"Ideal customer profile for {name}",
        "description": f"Companies in {industry} that need {description[:160]}",
        "segments": [
            {
                "name": f"{industry} companies with {size}",
                "score": 90 - 10 * i - (seed + i) % 5,
                "criteria": [f"Industry: {industry}", f"Size: {size}", "Has a dedicated revenue team"],
            }
            for i, size in enumerate(sizes)
        ],
        "keyIndicators": [
            f"Actively hiring for roles that use {name}",
            "Revenue growth above 20% a year",
            "Recently raised funding",
            "Uses a modern CRM",
            f"Publicly discusses problems {name} solves",
        ],
        "redFlags": [
            "No budget owner for the problem",
            "Fewer than 10 employees",
            "Locked into a multi-year competitor contract",
        ],
        "ratingCriteria": [
            {"name": "Industry Fit", "weight": 25, "description": f"Operates in {industry}"},
            {"name": "Company Size Fit", "weight": 25, "description": "Within the target employee range"},
            {"name": "Pain Point Alignment", "weight": 25, "description": f"Feels the pain {name} removes"},
            {"name": "Buyer Persona Match", "weight": 25, "description": "Has the buyer roles we sell to"},
        ],
    }


def build_personas(context: dict[str, Any]) -> dict[str, Any]:
    industry = context.get("industry") or "Technology"
    market = context.get("target_market") or "mid-market"
    roles = [
        ("VP of Sales", "VP", "Approves"),
        ("Head of Revenue Operations", "Director", "Recommends"),
        ("Chief Executive Officer", "C-Suite", "Controls"),
    ]
    return {
        "personas": [
            {
                "title": title,
                "level": level,
                "demographics": {
                    "companySize": market,
                    "revenue": "$10M-$100M",
                    "industryVertical": industry,
                    "region": "North America",
                    "yearsExperience": f"{8 + 2 * i}+ years",
                },
                "psychographics": {
                    "goals": ["Predictable pipeline", "Shorter sales cycles"],
                    "challenges": ["Unqualified leads", "Long evaluations"],
                    "motivations": ["Hit the number", "Build a repeatable process"],
                    "fears": ["Missing the quarter", "Wasted tooling budget"],
                    "values": ["Evidence", "Speed"],
                },
                "buyingBehavior": {
                    "decisionCriteria": ["Time to value", "Total cost", "Integration effort"],
                    "budgetAuthority": authority,
                    "buyingProcessRole": "Decision maker" if authority == "Controls" else "Evaluator",
                    "informationSources": ["Peers", "Analyst reports"],
                    "preferredChannels": ["Email", "LinkedIn"],
                },
            }
            for i, (title, level, authority) in enumerate(roles)
        ]
    }


RATING_PARTS = ["industryFit", "companySizeFit", "painPointAlignment", "buyerPersonaMatch"]
WORD = re.compile(r"[a-z]{5,}")


def _fit(score: int) -> str:
    return "Excellent" if score >= 80 else "Good" if score >= 60 else "Fair" if score >= 40 else "Poor"


def _rating_without_evidence(host: str, evidence: dict[str, Any]) -> dict[str, Any]:
    """Nothing could be read: no part is claimed, and the rating says why (never invented facts)."""
    reason = evidence.get("reason") or "not_researched"
    message = evidence.get("message") or "The company was not researched."
    return {
        "score": 0,
        "fitLevel": "Poor",
        "reasoning": f"{host} could not be researched ({reason}: {message}) Rated with evidence: none; "
        "no facts about the company were available, so no fit is claimed.",
        "breakdown": {name: {"score": 0, "explanation": "No evidence"} for name in RATING_PARTS},
        "strengths": [],
        "concerns": [f"Evidence: none ({reason})"],
        "recommendation": "Check the company's site by hand before outreach.",
    }


def build_company_rating(context: dict[str, Any]) -> dict[str, Any]:
    """From the facts research found on the company's pages (context["evidence"]) and the ICP's words."""
    url = str(context.get("company_url") or "https://example.com")
    host = urlparse(url).hostname or url
    evidence = context.get("evidence") or {}
    if evidence.get("status") != "found":
        return _rating_without_evidence(host, evidence)
    signals = evidence.get("signals") or {}
    site_text = " ".join(
        [evidence.get("title") or "", evidence.get("description") or "", *(evidence.get("headings") or []),
         *(e.get("text", "") for e in evidence.get("excerpts") or [])]
    ).lower()  # fmt: skip
    icp_text = json.dumps(context.get("icp") or {"title": context.get("icp_title") or ""}).lower()
    industries = signals.get("industries") or []
    matched_industries = [i for i in industries if i.lower().split()[0] in icp_text]
    industry = 22 if matched_industries else 12 if industries else 6
    sizes = [
        int(m) for hint in signals.get("employee_count_hints") or [] for m in re.findall(r"\d+", hint.replace(",", ""))
    ]
    size = 20 if any(20 <= n <= 5000 for n in sizes) else 10 if sizes else 6
    shared = sorted(set(WORD.findall(site_text)) & set(WORD.findall(icp_text)))
    pain = min(25, 6 + 2 * len(shared))
    pricing = signals.get("pricing_model") or []
    persona = min(25, 8 + 6 * ("per_seat" in pricing) + 6 * ("contact_sales" in pricing or "subscription" in pricing))
    parts = dict(zip(RATING_PARTS, [industry, size, pain, persona], strict=True))
    score = sum(parts.values())
    cited = [f'"{evidence.get("title")}"' if evidence.get("title") else host]
    if evidence.get("description"):
        cited.append(str(evidence["description"]))
    facts = [
        f"industries: {', '.join(industries)}" if industries else "",
        f"size: {', '.join(signals.get('employee_count_hints') or [])}" if sizes else "",
        f"pricing: {', '.join(pricing)}" if pricing else "",
        f"customers: {', '.join(signals.get('customer_logos') or [])}" if signals.get("customer_logos") else "",
    ]
    sources = evidence.get("sources") or []
    return {
        "score": score,
        "fitLevel": _fit(score),
        "reasoning": f"From {len(sources)} pages of {host} (offline rating): {' - '.join(cited)}. "
        + "; ".join(f for f in facts if f),
        "breakdown": {
            "industryFit": {
                "score": industry,
                "explanation": f"Site industries: {', '.join(industries) or 'none found'}",
            },
            "companySizeFit": {
                "score": size,
                "explanation": f"Size hints: {', '.join(map(str, sizes)) or 'none found'}",
            },
            "painPointAlignment": {
                "score": pain,
                "explanation": f"Shared terms with the ICP: {', '.join(shared[:8]) or 'none'}",
            },
            "buyerPersonaMatch": {
                "score": persona,
                "explanation": f"Pricing signals: {', '.join(pricing) or 'none found'}",
            },
        },
        "strengths": [f for f in facts if f][:4] or ["Site reachable"],
        "concerns": [] if matched_industries else ["No industry on the site matches the ICP"],
        "recommendation": "Prioritise outreach." if score >= 60 else "Qualify further before outreach.",
    }


def build_assessment_insight(context: dict[str, Any]) -> dict[str, Any]:
    responses = context.get("responses") or []
    values = [int(r.get("response", 0)) for r in responses if str(r.get("response", "")).isdigit()]
    average = sum(values) / len(values) if values else 0
    weakest: dict[str, Any] = min(responses, key=lambda r: int(r.get("response", 0) or 0), default={})
    return {
        "challengeIdentified": "Buyer understanding" if average < 3 else "Scaling what already works",
        "insight": f"Your weakest answer was: {weakest.get('questionText', 'not given')}",
        "businessImpact": "Deals stall when the buyer's cost of the problem is not quantified.",
        "confidence": 70 + int(average * 5),
        "reasoning": f"Average answer {average:.1f} of 4 over {len(values)} questions.",
    }


def build_resource(context: dict[str, Any]) -> dict[str, Any]:
    title = context.get("title") or "Strategic asset"
    name, description = _product(context)
    earlier = len(context.get("context_resources") or [])
    return {
        "title": title,
        "summary": f"{title} for {name}: {description[:200]}",
        "sections": [
            {
                "heading": "Context",
                "body": f"Built from your product details and {earlier} earlier assets.",
            },
            {"heading": "Framework", "body": f"How {name} applies {title.lower()} step by step."},
            {"heading": "Next steps", "body": "Review with your team and adapt to your market."},
        ],
    }


BUILDERS: dict[str, Builder] = {
    "icp": build_icp,
    "personas": build_personas,
    "company_rating": build_company_rating,
    "assessment_insight": build_assessment_insight,
    "resource": build_resource,
}


def offline_complete(operation: str, context: dict[str, Any]) -> str:
    builder = BUILDERS.get(operation)
    content = builder(context) if builder else {"summary": f"Offline answer for {operation}."}
    return json.dumps({**content, "source": "offline"})
