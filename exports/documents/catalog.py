"""Every document type the platform offers; imported once at startup (ExportsConfig.ready)."""

from exports.documents import assessment_report, business_case, comprehensive, cost_of_inaction, product_details

__all__ = ["assessment_report", "business_case", "comprehensive", "cost_of_inaction", "product_details"]
