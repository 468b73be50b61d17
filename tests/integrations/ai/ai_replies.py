"""Valid model answers per AI operation, for the fake providers (chosen by the system prompt)."""

import json
from typing import Any

ICP = {
    "title": "Mid-market SaaS revenue teams",
    "description": "B2B software companies with 50-500 employees and a growing sales team.",
    "segments": [
        {"name": "Series A SaaS", "score": 92, "criteria": ["50-200 employees", "Sales team of 5+"]},
        {"name": "Series B SaaS", "score": 85, "criteria": ["200-500 employees", "RevOps function"]},
        {"name": "Bootstrapped SaaS", "score": 64, "criteria": ["$5M+ ARR", "Founder-led sales"]},
    ],
    "keyIndicators": ["Hiring AEs", "Raised in the last year", "Uses HubSpot", "Has a RevOps lead", "Publishes ICP"],
    "redFlags": ["No sales team", "Agency business", "Under 10 employees"],
    "ratingCriteria": [
        {"name": "Industry Fit", "weight": 25, "description": "B2B software"},
        {"name": "Company Size Fit", "weight": 25, "description": "50-500 employees"},
        {"name": "Pain Point Alignment", "weight": 25, "description": "Pipeline quality"},
        {"name": "Buyer Persona Match", "weight": 25, "description": "VP Sales present"},
    ],
}


def persona(title: str, level: str) -> dict[str, Any]:
    return {
        "title": title,
        "level": level,
        "demographics": {
            "companySize": "200",
            "revenue": "$20M",
            "industryVertical": "SaaS",
            "region": "EU",
            "yearsExperience": "10",
        },
        "psychographics": {
            "goals": ["Pipeline"],
            "challenges": ["Churn"],
            "motivations": ["Growth"],
            "fears": ["Missing quota"],
            "values": ["Data"],
        },
        "buyingBehavior": {
            "decisionCriteria": ["ROI"],
            "budgetAuthority": "Approves",
            "buyingProcessRole": "Buyer",
            "informationSources": ["Peers"],
            "preferredChannels": ["Email"],
        },
    }


PERSONAS = {"personas": [persona("VP Sales", "VP"), persona("RevOps Lead", "Director"), persona("CEO", "C-Suite")]}


def rating(score_parts: tuple[int, int, int, int] = (20, 18, 22, 15), padding: int = 0) -> dict[str, Any]:
    names = ["industryFit", "companySizeFit", "painPointAlignment", "buyerPersonaMatch"]
    return {
        "score": sum(score_parts),
        "fitLevel": "whatever the model says",
        "reasoning": "Strong industry match and a clear pipeline problem. " + "Detail. " * padding,
        "breakdown": {
            n: {"score": p, "explanation": f"{n} looks right"} for n, p in zip(names, score_parts, strict=True)
        },
        "strengths": ["B2B SaaS"],
        "concerns": ["Small team"],
        "recommendation": "Reach out to the VP Sales.",
    }


INSIGHT = {
    "challengeIdentified": "Buyer understanding",
    "insight": "You know your product better than your buyer's problem.",
    "businessImpact": "Longer sales cycles.",
    "confidence": 99,
    "reasoning": "Low answers on buyer questions.",
}

RESOURCE = {
    "title": "ICP Analysis Framework",
    "summary": "How to find and rank your best-fit accounts.",
    "sections": [{"heading": h, "body": f"{h} body"} for h in ("Context", "Framework", "Next steps")],
}


def system_of(body: dict[str, Any]) -> str:
    if "system" in body:
        system = body["system"]
        return system if isinstance(system, str) else " ".join(part["text"] for part in system)
    return body["messages"][0]["content"]


def reply_for(body: dict[str, Any]) -> str:
    """The valid answer for whichever operation the request is."""
    system = system_of(body)
    for marker, content in (
        ("go-to-market", ICP), ("buyer research", PERSONAS), ("rate how well", rating()),
        ("primary sales challenge", INSIGHT), ("strategic asset", RESOURCE),
    ):  # fmt: skip
        if marker in system:
            return json.dumps(content)
    raise AssertionError(f"unexpected prompt: {system[:80]}")
