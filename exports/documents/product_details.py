"""Product details: what the customer sells, one section per product (primary first)."""

from typing import Any

from django.utils import timezone

from assessments import selectors as assessment_selectors
from exports.content import BulletList, Document, Facts, Section
from exports.documents import DocumentRequest, DocumentType, document_type_register, record_get, record_ids
from platform_core.models import Customer


def product_section(product: Any) -> Section:
    title = f"{product.product_name} (primary)" if product.is_primary else product.product_name
    facts = Facts([
        ("Description", product.product_description, "text"),
        ("Distinguishing feature", product.distinguishing_feature, "text"),
        ("Business model", product.get_business_model_display(), "text"),
        ("Industry", product.industry, "text"),
        ("Target market", product.target_market, "text"),
        ("Value proposition", product.value_proposition, "text"),
        ("Revenue model", product.revenue_model, "text"),
        ("Pricing strategy", product.pricing_strategy, "text"),
        ("Market size", product.market_size, "text"),
        ("Growth potential", product.get_growth_potential_display() if product.growth_potential else "", "text"),
    ])  # fmt: skip
    advantages = [str(item) for item in product.competitive_advantages or []]
    return Section(title, [facts, *([BulletList(advantages)] if advantages else [])])


def products(customer: Customer) -> Any:
    return assessment_selectors.product_list_for_customer(customer=customer)


def _product(customer: Customer, product_id: int) -> Any:
    return assessment_selectors.product_get_for_customer(customer=customer, product_id=product_id)


def _clean(customer: Customer, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("ids"):
        return {"ids": list(products(customer).values_list("pk", flat=True)[:50])}
    return record_ids(
        params, fetch=lambda value: _product(customer, value), latest=lambda: None, label="product", many=True
    )


def _build(request: DocumentRequest) -> Document:
    products = [
        record_get(lambda value: _product(request.customer, value), product_id, label="product")
        for product_id in request.params["ids"]
    ]
    return Document(
        kind="product-details", title="Product Details", customer_name=request.customer.name,
        subtitle=", ".join(product.product_name for product in products)[:200], generated_at=timezone.now(),
        sections=[product_section(product) for product in products], branding=request.branding,
    )  # fmt: skip


PRODUCT_DETAILS = document_type_register(
    DocumentType(
        name="product-details",
        title="Product Details",
        description="Each product's description, business model, market and advantages.",
        build=_build,
        available=lambda customer: products(customer).exists(),
        clean_params=_clean,
    )
)
