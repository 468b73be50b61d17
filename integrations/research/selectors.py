"""Research reads, always scoped to the caller's customer."""

from django.db.models import QuerySet

from integrations.research.models import CompanyProfile, Screenshot
from platform_core.models import User


def company_profile_list(*, user: User) -> QuerySet[CompanyProfile]:
    if user.customer_id is None:
        return CompanyProfile.objects.none()
    return CompanyProfile.objects.filter(customer_id=user.customer_id)


def company_profile_get(*, user: User, profile_id: str) -> CompanyProfile:
    return company_profile_list(user=user).get(pk=profile_id)


def screenshot_get(*, user: User, screenshot_id: str) -> Screenshot:
    if user.customer_id is None:
        raise Screenshot.DoesNotExist
    return Screenshot.objects.filter(customer_id=user.customer_id).get(pk=screenshot_id)
