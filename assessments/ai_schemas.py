"""Prompts for the AI features and validation of what the model answers (domain.md sections 3.3, 4, 7).

A validator takes the parsed JSON and returns (cleaned content, errors). Errors go back to the model
once as a repair request; derived values (fit tier, clamped confidence) are computed here, not trusted.
"""

from __future__ import annotations

import json
from typing import Any

Validated = tuple[dict[str, Any], list[str]]

JSON_ONLY = "Answer with one JSON object only, no prose and no code fences."
FIT_PARTS = ("industryFit", "companySizeFit", "painPointAlignment", "buyerPersonaMatch")


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _count(errors: list[str], data: dict[str, Any], key: str, low: int, high: int) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list) or not low <= len(value) <= high:
        errors.append(f"{key} must be a list of {low} to {high} items")
        return []
    return value


# --- ICP (4.1) ----------------------------------------------------------------------------------
ICP_SYSTEM = (
    "You are an expert B2B go-to-market strategist. Build an ideal customer profile covering firmographics, "
    "technographics, budget, pain points, goals, decision-making, behaviour, value drivers, engagement and "
    "current solutions. " + JSON_ONLY
)


def icp_prompt(inputs: dict[str, Any]) -> str:
    product = inputs.get("product_info") or {}
    return (
        f"Product: {product.get('name', '')}\nDescription: {product.get('description', '')}\n"
        f"Distinguishing feature: {product.get('distinguishing_feature', '')}\n"
        f"Business model: {product.get('business_model', '')}\nIndustry: {inputs.get('industry') or 'Technology'}\n"
        f"Company size: {inputs.get('company_size') or 'medium'}\n"
        f"Current challenges: {', '.join(inputs.get('current_challenges') or ['scalability', 'efficiency'])}\n"
        f"Goals: {', '.join(inputs.get('goals') or ['increase revenue', 'improve operations'])}\n\n"
        'Return {"title", "description", "segments": [{"name", "score" (1-100), "criteria": [..]}] (3-5), '
        '"keyIndicators": [..] (5-8), "redFlags": [..] (3-5), "ratingCriteria": [{"name", "weight", "description"}] '
        "(4-5)}."
    )


def icp_validate(data: dict[str, Any]) -> Validated:
    errors: list[str] = []
    for key in ("title", "description"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            errors.append(f"{key} must be a non-empty string")
    for segment in _count(errors, data, "segments", 3, 5):
        score = segment.get("score") if isinstance(segment, dict) else None
        if (
            not isinstance(segment, dict)
            or not isinstance(segment.get("name"), str)
            or not _strings(segment.get("criteria"))
        ):
            errors.append("each segment needs a name and a list of criteria")
        elif not isinstance(score, int | float) or not 1 <= score <= 100:
            errors.append("each segment score must be 1-100")
    for key, low, high in (("keyIndicators", 5, 8), ("redFlags", 3, 5)):
        if not _strings(_count(errors, data, key, low, high)):
            errors.append(f"{key} must hold strings")
    for criterion in _count(errors, data, "ratingCriteria", 4, 5):
        if not isinstance(criterion, dict) or not {"name", "weight", "description"} <= criterion.keys():
            errors.append("each rating criterion needs name, weight and description")
    keys = ("title", "description", "segments", "keyIndicators", "redFlags", "ratingCriteria")
    return {k: data.get(k) for k in keys}, errors


# --- Personas (4.2) -----------------------------------------------------------------------------
PERSONAS_SYSTEM = "You are an expert in B2B buyer research. Describe realistic buyer personas. " + JSON_ONLY
LEVELS = ("C-Suite", "VP", "Director", "Manager", "IC")
AUTHORITY = ("None", "Recommends", "Approves", "Controls")


def personas_prompt(inputs: dict[str, Any]) -> str:
    return (
        f"Company context: {inputs['company_context']}\nIndustry: {inputs['industry']}\n"
        f"Target market: {inputs.get('target_market') or 'not given'}\n\n"
        'Return {"personas": [3-5 of {"title", "level" (C-Suite|VP|Director|Manager|IC), "demographics": '
        '{"companySize", "revenue", "industryVertical", "region", "yearsExperience"}, "psychographics": {"goals", '
        '"challenges", "motivations", "fears", "values"}, "buyingBehavior": {"decisionCriteria", "budgetAuthority" '
        '(None|Recommends|Approves|Controls), "buyingProcessRole", "informationSources", "preferredChannels"}}]}.'
    )


def personas_validate(data: dict[str, Any]) -> Validated:
    errors: list[str] = []
    personas = _count(errors, data, "personas", 3, 5)
    for i, persona in enumerate(personas, start=1):
        if not isinstance(persona, dict) or not isinstance(persona.get("title"), str):
            errors.append(f"persona {i} needs a title")
            continue
        if persona.get("level") not in LEVELS:
            errors.append(f"persona {i} level must be one of {', '.join(LEVELS)}")
        for group in ("demographics", "psychographics", "buyingBehavior"):
            if not isinstance(persona.get(group), dict):
                errors.append(f"persona {i} needs {group}")
        behaviour = persona.get("buyingBehavior") or {}
        if isinstance(behaviour, dict) and behaviour.get("budgetAuthority") not in AUTHORITY:
            errors.append(f"persona {i} budgetAuthority must be one of {', '.join(AUTHORITY)}")
    return {"personas": personas}, errors


# --- Company rating (4.3) -----------------------------------------------------------------------
RATING_SYSTEM = "You rate how well a company fits an ideal customer profile. " + JSON_ONLY


def _evidence_text(evidence: dict[str, Any] | None) -> str:
    if not evidence or evidence.get("status") != "found":
        reason = (evidence or {}).get("message") or "no research was done"
        return (
            f"Evidence: none ({reason}). Say that the site could not be researched; do not invent facts "
            "about the company.\n"
        )
    facts = {k: evidence.get(k) for k in ("title", "description", "headings", "excerpts", "signals", "sources")}
    return f"Evidence from the company's own pages (cite it; use nothing else about the company): {json.dumps(facts)}\n"


def rating_prompt(inputs: dict[str, Any], icp: dict[str, Any] | None) -> str:
    return (
        f"Ideal customer profile: {json.dumps(icp or {'title': 'not yet generated'})}\n"
        f"Company: {inputs['company_url']}\n{_evidence_text(inputs.get('evidence'))}\n"
        "Score four parts 0-25 each: industryFit, companySizeFit, painPointAlignment, buyerPersonaMatch; "
        'score is their sum. Return {"score", "fitLevel", "reasoning", "breakdown": {part: {"score", '
        '"explanation"}}, "strengths": [..], "concerns": [..], "recommendation"}.'
    )


def fit_level(score: int) -> str:
    return "Excellent" if score >= 80 else "Good" if score >= 60 else "Fair" if score >= 40 else "Poor"


def rating_validate(data: dict[str, Any]) -> Validated:
    errors: list[str] = []
    breakdown = data.get("breakdown")
    parts: list[int] = []
    if not isinstance(breakdown, dict):
        errors.append("breakdown must be an object with " + ", ".join(FIT_PARTS))
    else:
        for name in FIT_PARTS:
            part = breakdown.get(name)
            value = part.get("score") if isinstance(part, dict) else None
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 25:
                errors.append(f"breakdown.{name}.score must be an integer 0-25")
            else:
                parts.append(value)
    score = data.get("score")
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 100:
        errors.append("score must be an integer 0-100")
    elif len(parts) == len(FIT_PARTS) and score != sum(parts):
        errors.append(f"score {score} must equal the sum of the four parts ({sum(parts)})")
    reasoning = data.get("reasoning")
    if not isinstance(reasoning, str) or len(reasoning.strip()) < 10:
        errors.append("reasoning must be at least 10 characters")
    for key in ("strengths", "concerns"):
        if not isinstance(data.get(key), list):
            errors.append(f"{key} must be a list")
    cleaned = {
        "score": score,
        "fit_level": fit_level(score) if isinstance(score, int) else "",
        "reasoning": reasoning,
        "breakdown": breakdown,
        "strengths": data.get("strengths") or [],
        "concerns": data.get("concerns") or [],
        "recommendation": str(data.get("recommendation") or ""),
    }
    return cleaned, errors


# --- Assessment insight (3.3) -------------------------------------------------------------------
INSIGHT_SYSTEM = "You are an expert B2B sales strategist; identify the primary sales challenge. " + JSON_ONLY


def insight_prompt(inputs: dict[str, Any]) -> str:
    lines = "\n".join(f"- {r['question_text']}: {r['response']}" for r in inputs["responses"])
    return (
        f"Company: {inputs.get('company') or ''}\nProduct: {inputs.get('product_name') or ''}\n"
        f"Business model: {inputs.get('business_model') or ''}\nAnswers (1-4):\n{lines}\n\n"
        'Return {"challengeIdentified", "insight", "businessImpact", "confidence" (70-95), "reasoning"}.'
    )


def insight_validate(data: dict[str, Any]) -> Validated:
    errors = [
        f"{key} must be a non-empty string"
        for key in ("challengeIdentified", "insight", "businessImpact")
        if not isinstance(data.get(key), str) or not data[key].strip()
    ]
    confidence = data.get("confidence")
    if not isinstance(confidence, int | float):
        errors.append("confidence must be a number")
        confidence = 70
    cleaned = {
        "challenge_identified": data.get("challengeIdentified"),
        "insight": data.get("insight"),
        "business_impact": data.get("businessImpact"),
        "confidence": int(min(95, max(70, confidence))),  # domain.md 3.3: clamped to [70, 95]
        "reasoning": str(data.get("reasoning") or ""),
    }
    return cleaned, errors


# --- Resources (7) ------------------------------------------------------------------------------
RESOURCE_SYSTEM = "You are a senior revenue consultant writing a strategic asset for a founder. " + JSON_ONLY


def resource_prompt(*, title: str, description: str, context: dict[str, Any]) -> str:
    return (
        f"Asset: {title}\n{description}\n\nWhat we know (cumulative context):\n{json.dumps(context, default=str)}\n\n"
        'Return {"title", "summary", "sections": [{"heading", "body"}] (at least 3)}.'
    )


def resource_validate(data: dict[str, Any]) -> Validated:
    errors: list[str] = []
    if not isinstance(data.get("title"), str) or not isinstance(data.get("summary"), str):
        errors.append("title and summary must be strings")
    sections = data.get("sections")
    if not isinstance(sections, list) or len(sections) < 3:
        errors.append("sections must be a list of at least 3 {heading, body}")
    elif not all(isinstance(s, dict) and {"heading", "body"} <= s.keys() for s in sections):
        errors.append("each section needs heading and body")
    return {"title": data.get("title"), "summary": data.get("summary"), "sections": sections}, errors
