from assessments.models.ai_content import (
    AssessmentInsight,
    CompanyRating,
    GeneratedResource,
    IcpAnalysis,
    PersonaSet,
    ResourceDefinition,
)
from assessments.models.business_cases import BusinessCase
from assessments.models.costs import CostCalculation
from assessments.models.products import ProductDetails
from assessments.models.progress import MilestoneCompletion, ProgressAction
from assessments.models.sessions import AssessmentClaimToken, AssessmentScoreCount, AssessmentSession

__all__ = [
    "AssessmentClaimToken",
    "AssessmentInsight",
    "AssessmentScoreCount",
    "AssessmentSession",
    "BusinessCase",
    "CompanyRating",
    "CostCalculation",
    "GeneratedResource",
    "IcpAnalysis",
    "MilestoneCompletion",
    "PersonaSet",
    "ProductDetails",
    "ProgressAction",
    "ResourceDefinition",
]
