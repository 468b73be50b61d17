from django.db.models import QuerySet

from platform_core.models import User
from platform_core.selectors.customers import customer_for_user


def user_list_for_customer(*, user: User) -> QuerySet[User]:
    """The caller's team: users of the caller's customer only."""
    return User.objects.filter(customer=customer_for_user(user=user)).select_related("customer")


def user_get_for_customer(*, user: User, user_id: int) -> User:
    return user_list_for_customer(user=user).get(pk=user_id)


def staff_emails() -> list[str]:
    """Where notifications for the platform's own people go: every active staff user."""
    return list(User.objects.filter(is_staff=True, is_active=True).exclude(email="").values_list("email", flat=True))
