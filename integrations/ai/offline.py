"""The offline provider: with no API key configured, structurally valid content built from the inputs.

Deterministic (the same inputs give the same output) and marked "source": "offline" by the caller.
It is never used when a provider key is configured.
"""

from __future__ import annotations

import hashlib
import json
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


def build_company_rating(context: dict[str, Any]) -> dict[str, Any]:
    url = str(context.get("company_url") or "https://example.com")
    seed = _seed({"url": url, "icp": context.get("icp_title")})
    parts = [(seed >> shift) % 26 for shift in (0, 5, 10, 15)]
    score = sum(parts)
    host = urlparse(url).hostname or url
    names = ["industryFit", "companySizeFit", "painPointAlignment", "buyerPersonaMatch"]
    fit = "Excellent" if score >= 80 else "Good" if score >= 60 else "Fair" if score >= 40 else "Poor"
    return {
        "score": score,
        "fitLevel": fit,
        "reasoning": f"{host} was rated from its address only (offline rating, no company research).",
        "breakdown": {
            name: {"score": part, "explanation": f"Estimated {part}/25"}
            for name, part in zip(names, parts, strict=True)
        },
        "strengths": ["Reachable web presence"],
        "concerns": ["Rated without company data"],
        "recommendation": "Research the company before outreach." if score < 60 else "Prioritise outreach.",
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
