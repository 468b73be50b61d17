from typing import Any

from django.db import transaction

from assessments.models import ProductDetails
from assessments.services.progress import progress_track
from platform_core.models import Customer, User


def _lock_customer(customer: Customer) -> None:
    # Serialises primary switches of one customer (the partial unique index is the backstop).
    Customer.objects.select_for_update().filter(pk=customer.pk).first()


def _demote_others(product: ProductDetails) -> None:
    ProductDetails.objects.filter(customer_id=product.customer_id, is_primary=True).exclude(pk=product.pk).update(
        is_primary=False
    )


@transaction.atomic
def product_create(*, customer: Customer, user: User | None, data: dict[str, Any]) -> ProductDetails:
    """Save product details; the first product, or one marked primary, becomes the primary one."""
    _lock_customer(customer)
    product = ProductDetails(customer=customer, created_by=user, **data)
    if not ProductDetails.objects.filter(customer=customer, is_primary=True).exists():
        product.is_primary = True
    if product.is_primary:
        _demote_others(product)
    product.full_clean(exclude=["search_vector"])
    product.save()
    progress_track(customer=customer, user=user, action="profile_completed", metadata={"product_id": product.pk})
    return product


@transaction.atomic
def product_update(*, product: ProductDetails, data: dict[str, Any]) -> ProductDetails:
    _lock_customer(product.customer)
    if data.get("is_primary") is False and product.is_primary:
        data = {k: v for k, v in data.items() if k != "is_primary"}  # a customer keeps one primary
    for field, value in data.items():
        setattr(product, field, value)
    if product.is_primary:
        _demote_others(product)
    product.full_clean(exclude=["search_vector"])
    product.save()
    return product


@transaction.atomic
def product_delete(*, product: ProductDetails) -> None:
    """Delete; when the primary goes, the most recent remaining product becomes primary."""
    _lock_customer(product.customer)
    was_primary, customer_id = product.is_primary, product.customer_id
    product.delete()
    if was_primary:
        successor = ProductDetails.objects.filter(customer_id=customer_id).order_by("-created_at").first()
        if successor:
            successor.is_primary = True
            successor.save(update_fields=["is_primary", "updated_at"])
