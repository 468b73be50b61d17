"""Research reads, always scoped to the caller's customer."""

from django.db.models import QuerySet

from integrations.research.models import CompanyProfile, Screenshot
from platform_core.models import User
from platform_core.selectors.customers import customer_for_user


def company_profile_list(*, user: User) -> QuerySet[CompanyProfile]:
    return CompanyProfile.objects.filter(customer=customer_for_user(user=user))


def company_profile_get(*, user: User, profile_id: str) -> CompanyProfile:
    return company_profile_list(user=user).get(pk=profile_id)


def screenshot_get(*, user: User, screenshot_id: str) -> Screenshot:
    return Screenshot.objects.filter(customer=customer_for_user(user=user)).get(pk=screenshot_id)
