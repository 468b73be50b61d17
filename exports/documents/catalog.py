"""Every document type the platform offers; imported once at startup (ExportsConfig.ready)."""

from exports.documents import (
    ai_content,
    assessment_report,
    business_case,
    comprehensive,
    cost_of_inaction,
    product_details,
    usage_report,
)

__all__ = [
    "ai_content",
    "assessment_report",
    "business_case",
    "comprehensive",
    "cost_of_inaction",
    "product_details",
    "usage_report",
]
