from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone

from assessments.models.search import search_vector_field
from platform_core.models import Customer, User


class BusinessModel(models.TextChoices):
    B2B_SUBSCRIPTION = "b2b-subscription", "B2B subscription"
    B2B_ONE_TIME = "b2b-one-time", "B2B one-time"
    B2C_SUBSCRIPTION = "b2c-subscription", "B2C subscription"
    B2C_ONE_TIME = "b2c-one-time", "B2C one-time"
    MARKETPLACE = "marketplace", "Marketplace"
    FREEMIUM = "freemium", "Freemium"


class GrowthPotential(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    EXPONENTIAL = "exponential", "Exponential"


class ProductDetails(models.Model):
    """What the customer sells; one per customer is primary (the one the tools use)."""

    BusinessModel = BusinessModel
    GrowthPotential = GrowthPotential

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="products")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product_name = models.CharField(max_length=200)
    product_description = models.TextField(max_length=2000)
    distinguishing_feature = models.TextField(max_length=1000)
    business_model = models.CharField(max_length=20, choices=BusinessModel.choices)
    industry = models.CharField(max_length=100, blank=True)
    target_market = models.CharField(max_length=500, blank=True)
    value_proposition = models.TextField(max_length=2000, blank=True)
    competitive_advantages = models.JSONField(default=list, blank=True)
    revenue_model = models.CharField(max_length=200, blank=True)
    pricing_strategy = models.CharField(max_length=500, blank=True)
    market_size = models.CharField(max_length=200, blank=True)
    growth_potential = models.CharField(max_length=12, choices=GrowthPotential.choices, blank=True)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = search_vector_field(
        ("product_name", "A"), ("distinguishing_feature", "B"), ("product_description", "B"),
        ("value_proposition", "C"), ("target_market", "C"), ("industry", "C"),
    )  # fmt: skip

    class Meta:
        ordering = ["-is_primary", "-created_at"]
        verbose_name_plural = "product details"
        indexes = [
            models.Index(fields=["customer", "created_at"], name="product_customer_created"),
            GinIndex(fields=["search_vector"], name="product_search_gin"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(is_primary=True), name="product_one_primary"),
            models.CheckConstraint(
                condition=Q(business_model__in=BusinessModel.values), name="product_business_model_valid"
            ),
            models.CheckConstraint(
                condition=Q(growth_potential="") | Q(growth_potential__in=GrowthPotential.values),
                name="product_growth_potential_valid",
            ),
            models.CheckConstraint(
                condition=~Q(product_name="") & ~Q(product_description="") & ~Q(distinguishing_feature=""),
                name="product_required_text",
            ),
        ]

    def __str__(self) -> str:
        return self.product_name
