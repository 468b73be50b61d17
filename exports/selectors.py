from django.db.models import QuerySet

from exports.models import Branding, Export
from platform_core.models import Customer, User
from platform_core.selectors.customers import customer_for_user


def export_list_for_user(*, user: User, document: str | None = None) -> QuerySet[Export]:
    """The caller's customer's exports, newest first."""
    exports = Export.objects.filter(customer=customer_for_user(user=user)).select_related("job")
    if document:
        exports = exports.filter(document=document)
    return exports.order_by("-created_at")


def export_get_for_user(*, user: User, export_id: str) -> Export:
    """Raises Export.DoesNotExist for another customer's export (the API answers 404)."""
    return export_list_for_user(user=user).get(pk=export_id)


def branding_get_for_customer(*, customer: Customer) -> Branding:
    """The customer's export branding, or the platform default (unsaved) when none is set."""
    return Branding.objects.filter(customer=customer).first() or Branding(customer=customer)
