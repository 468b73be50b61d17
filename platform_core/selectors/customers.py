"""The caller's customer, and the one answer for a signed-in user who belongs to none."""

from platform_core.exceptions import ApplicationError
from platform_core.models import Customer, User


def customer_for_user(*, user: User) -> Customer:
    """The customer the user belongs to. Platform staff without one own nothing in the API (they use the
    admin): every endpoint answers them 403 `no_customer`, never an empty list or a 404."""
    # getattr: an anonymous user (schema generation) has no customer either; authentication cached it: no query
    customer = user.customer if getattr(user, "customer_id", None) is not None else None
    if customer is None:
        raise ApplicationError("This account belongs to no customer.", code="no_customer", status_code=403)
    return customer
