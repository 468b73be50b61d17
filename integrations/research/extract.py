"""What a page says, read in the browser, and the signals found in it (pure functions on the facts)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Runs in the page (page_facts.js): only what is visible to a reader, capped so a huge page stays cheap.
PAGE_FACTS_JS = (Path(__file__).parent / "page_facts.js").read_text()

SECTION_WORDS = {
    "about": ("about", "company", "who-we-are", "our-story", "team"),
    "pricing": ("pricing", "plans", "price"),
    "customers": ("customers", "case-studies", "case studies", "clients", "testimonials"),
    "careers": ("careers", "jobs", "join-us", "hiring", "work-with-us"),
}
PRICING_MODELS = [
    ("per_seat", r"\bper (user|seat)\b|/\s*(user|seat)\b"),
    ("usage_based", r"\b(pay as you go|usage[- ]based|per (request|api call|transaction))\b"),
    ("freemium", r"\bfree (plan|forever|tier)\b|\bfreemium\b"),
    ("free_trial", r"\bfree trial\b|\btry (it )?free\b"),
    ("subscription", r"(/\s*mo(nth)?\b|per month|/\s*year\b|per year|billed (monthly|annually))"),
    ("contact_sales", r"\b(contact (sales|us)|request a (demo|quote)|talk to sales)\b"),
]
EMPLOYEES = re.compile(
    r"\b(\d{1,3}(?:,\d{3})*|\d+)\s*(\+|plus)?\s*(employees|people|team members|staff|engineers)\b", re.IGNORECASE
)
INDUSTRIES = {
    "Software": ("saas", "software", "platform", "api"),
    "Financial services": ("fintech", "banking", "payments", "insurance", "lending"),
    "Healthcare": ("healthcare", "patients", "clinical", "hospital", "medical"),
    "Retail & e-commerce": ("e-commerce", "ecommerce", "retail", "shop", "storefront"),
    "Manufacturing": ("manufacturing", "factory", "industrial", "supply chain"),
    "Education": ("education", "students", "learning", "university"),
    "Marketing": ("marketing", "advertising", "campaigns", "seo"),
    "Logistics": ("logistics", "shipping", "freight", "fleet"),
    "Security": ("cybersecurity", "security", "compliance", "threat"),
    "Real estate": ("real estate", "property", "mortgage"),
}
TECHNOLOGIES = {
    "React": ("react", "__NEXT_DATA__"), "Next.js": ("__NEXT_DATA__", "/_next/"), "Vue": ("vue",),
    "Angular": ("angular",), "jQuery": ("jquery",), "Stripe": ("stripe",), "Intercom": ("intercom",),
    "HubSpot": ("hubspot", "hs-scripts", "HubSpotConversations"), "Segment": ("segment.com", "analytics"),
    "Google Analytics": ("googletagmanager", "google-analytics", "gtag"), "Shopify": ("shopify",),
    "Webflow": ("webflow",), "WordPress": ("wp-content", "wp"),
}  # fmt: skip
LOGO_CONTEXT = re.compile(r"customer|client|logo|trusted|partner|used by", re.IGNORECASE)


def section_of(url: str, text: str) -> str | None:
    path = urlsplit(url).path.lower()
    label = text.lower()
    for section, words in SECTION_WORDS.items():
        if any(w in path or w in label for w in words):
            return section
    return None


def linked_sections(home_url: str, links: list[dict[str, str]], limit: int) -> list[tuple[str, str]]:
    """(section, url) of the about/pricing/customers/careers pages linked from the home page, same host."""
    host = (urlsplit(home_url).hostname or "").removeprefix("www.")
    chosen: dict[str, str] = {}
    for link in links:
        href = link.get("href", "").split("#")[0]
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or (parts.hostname or "").removeprefix("www.") != host:
            continue
        if href.rstrip("/") == home_url.rstrip("/"):
            continue
        section = section_of(href, link.get("text", ""))
        if section and section not in chosen:
            chosen[section] = href
    return list(chosen.items())[:limit]


def _sentences(text: str, limit: int) -> list[str]:
    parts = [p.strip() for p in re.split(r"(?<=[.!?])\s+", text) if 40 <= len(p.strip()) <= 300]
    return parts[:limit]


def signals_detect(pages: list[dict[str, Any]]) -> dict[str, Any]:
    """Signals across every page visited; each one says which page it came from."""
    text = " ".join(p["facts"]["text"] for p in pages)
    lowered = text.lower()
    pricing = [name for name, pattern in PRICING_MODELS if re.search(pattern, lowered)]
    employees = sorted({m.group(0) for m in EMPLOYEES.finditer(text)})[:5]
    industries = [name for name, words in INDUSTRIES.items() if sum(lowered.count(w) for w in words) >= 2]
    haystack = " ".join(
        " ".join(p["facts"]["scripts"] + p["facts"]["globals"]) for p in pages
    ).lower()  # fmt: skip
    technologies = [name for name, marks in TECHNOLOGIES.items() if any(m.lower() in haystack for m in marks)]
    logos: list[str] = []
    for page in pages:
        for image in page["facts"]["images"]:
            if (page["section"] == "customers" or LOGO_CONTEXT.search(image["near"])) and image["alt"] not in logos:
                logos.append(image["alt"])
    return {
        "pricing_model": pricing, "employee_count_hints": employees, "industries": industries,
        "technologies": technologies, "customer_logos": logos[:30],
    }  # fmt: skip


def profile_facts(pages: list[dict[str, Any]]) -> dict[str, Any]:
    home = pages[0]["facts"]
    headings: list[str] = []
    for page in pages:
        headings += [h for h in page["facts"]["headings"] if h not in headings]
    excerpts = []
    for page in pages:
        excerpts += [{"url": page["url"], "text": s} for s in _sentences(page["facts"]["text"], 3)]
    return {
        "title": home["title"][:500], "description": home["description"][:1000], "headings": headings[:40],
        "excerpts": excerpts[:15], "signals": signals_detect(pages),
    }  # fmt: skip
