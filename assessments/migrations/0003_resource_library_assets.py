"""The 38 strategic assets of the resources library (domain.md section 7).

Unlock: an asset unlocks when the customer's progress (completion percentage of the milestones,
domain.md section 13) reaches its threshold; the sub-milestone codes of the old platform are kept.
"""

from django.db import migrations

FOUNDATION = [
    ("icp-analysis-framework", "ICP Analysis Framework", "buyer_intelligence", "$8,000-12,000"),
    ("target-buyer-personas", "Target Buyer Personas", "buyer_intelligence", "$6,000-10,000"),
    ("empathy-maps", "Empathy Maps", "behavioral_analysis", "$4,000-6,000"),
    ("icp-rating-system", "ICP Rating System", "strategic_tools", "$5,000-8,000"),
    ("buyer-persona-rating-system", "Buyer Persona Rating System", "strategic_tools", "$4,000-6,000"),
    ("negative-buyer-personas", "Negative Buyer Personas", "buyer_intelligence", "$3,000-5,000"),
    ("product-market-fit-assessment", "Product-Market Fit Assessment", "strategic_tools", "$8,000-15,000"),
    ("product-potential", "Product Potential", "strategic_tools", "$5,000-8,000"),
    ("refined-product-description", "Refined Product Description", "sales_frameworks", "$2,000-4,000"),
    ("technical-sales-translator", "Technical Sales Translator", "sales_frameworks", "$5,000-8,000"),
    ("value-messaging", "Value Messaging", "sales_frameworks", "$6,000-10,000"),
    ("cost-of-inaction-calculator", "Cost of Inaction Calculator", "strategic_tools", "$5,000-8,000"),
    ("compelling-events", "Compelling Events", "buyer_intelligence", "$3,000-5,000"),
    ("sales-slide-deck", "Sales Slide Deck", "sales_frameworks", "$5,000-10,000"),
]
GROWTH = [
    ("buying-committee", "Buying Committee", "buyer_intelligence", "$6,000-10,000"),
    ("stakeholder-arsenal", "Stakeholder Arsenal", "sales_frameworks", "$8,000-12,000"),
    ("mock-selling-dialogues", "Mock Selling Dialogues", "sales_frameworks", "$5,000-8,000"),
    ("discovery-framework", "Discovery Framework", "sales_frameworks", "$6,000-10,000"),
    ("day-in-life", "Day-in-Life", "behavioral_analysis", "$4,000-6,000"),
    ("month-in-life", "Month-in-Life", "behavioral_analysis", "$4,000-6,000"),
    ("user-journey-maps", "User Journey Maps", "behavioral_analysis", "$6,000-10,000"),
    ("buyer-ux", "Buyer UX", "behavioral_analysis", "$5,000-8,000"),
    ("ideal-head-of-sales", "Ideal Head of Sales", "implementation_guides", "$5,000-8,000"),
    ("problem-validation", "Problem Validation", "strategic_tools", "$6,000-10,000"),
    ("product-usage", "Product Usage", "behavioral_analysis", "$4,000-6,000"),
    ("service-prototype", "Service Prototype", "implementation_guides", "$6,000-10,000"),
    ("persona-prototyping", "Persona Prototyping", "buyer_intelligence", "$5,000-8,000"),
    ("sales-tasks", "Sales Tasks", "implementation_guides", "$3,000-5,000"),
]
ENTERPRISE = [
    ("executive-business-case", "Executive Business Case", "strategic_tools", "$15,000-25,000"),
    ("board-presentation", "Board Presentation", "strategic_tools", "$10,000-20,000"),
    ("series-b-readiness", "Series B Readiness", "strategic_tools", "$20,000-35,000"),
    ("ideal-investor-profile", "Ideal Investor Profile", "competitive_intelligence", "$8,000-12,000"),
    ("roi-models", "ROI Models", "strategic_tools", "$10,000-15,000"),
    ("scenario-planning", "Scenario Planning", "strategic_tools", "$10,000-20,000"),
    ("service-blueprints-fmea", "Service Blueprints & FMEA", "implementation_guides", "$12,000-20,000"),
    ("backstage-optimization", "Backstage Optimization", "implementation_guides", "$8,000-12,000"),
    ("jobs-to-be-done", "Jobs-to-Be-Done", "buyer_intelligence", "$10,000-15,000"),
    ("systems-interactions-map", "Systems Interactions Map", "competitive_intelligence", "$10,000-15,000"),
]
# (tier, milestone, threshold) by asset number range.
UNLOCKS = [
    (range(1, 8), "foundation", "sub_9_1", 25),
    (range(8, 15), "foundation", "sub_9_2", 50),
    (range(15, 22), "growth", "sub_10_1", 75),
    (range(22, 29), "growth", "sub_11_1", 75),
    (range(29, 39), "enterprise", "sub_12_1", 100),
]


def assets():
    for number, (slug, title, category, consulting) in enumerate(FOUNDATION + GROWTH + ENTERPRISE, start=1):
        tier, milestone, threshold = next((t, m, th) for r, t, m, th in UNLOCKS if number in r)
        yield {
            "code": f"asset-{number}-{slug}",
            "asset_number": number,
            "title": title,
            "description": f"{title}: a {tier} strategic asset generated from your product, ICP and personas.",
            "category": category,
            "tier": tier,
            "unlock_milestone": milestone,
            "unlock_threshold": threshold,
            "consulting_equivalent": consulting,
            "display_order": number,
        }


def load(apps, schema_editor):
    ResourceDefinition = apps.get_model("assessments", "ResourceDefinition")
    for asset in assets():
        ResourceDefinition.objects.update_or_create(code=asset["code"], defaults=asset)


def unload(apps, schema_editor):
    ResourceDefinition = apps.get_model("assessments", "ResourceDefinition")
    ResourceDefinition.objects.filter(code__in=[a["code"] for a in assets()]).delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_ai_content")]

    operations = [migrations.RunPython(load, unload)]
