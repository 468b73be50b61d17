"""Issue 13 item 5: /admin/login/ is throttled (django-ratelimit) and failures lock the account from that
source only; staff lift locks with the "Unlock sign-in" admin action (platform_core.admin_login)."""

import pytest
from django.test import Client

from platform_core.models import AuditEvent, User
from tests.platform_core.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def admin_login(email: str, password: str, ip: str):
    return Client(REMOTE_ADDR=ip).post("/admin/login/", {"username": email, "password": password})


def test_failures_lock_the_account_from_that_source_only_until_staff_unlock(settings):
    settings.LOGIN_MAX_FAILURES = 3
    staff = UserFactory(is_staff=True, is_superuser=True, customer=None)
    other_staff = UserFactory(is_staff=True, is_superuser=True, customer=None)

    assert [admin_login(staff.email, "wrong", "10.0.0.1").status_code for _ in range(3)] == [200, 200, 200]
    locked = admin_login(staff.email, PASSWORD, "10.0.0.1")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert AuditEvent.objects.filter(kind="account_locked", actor_email=staff.email).count() == 1

    assert admin_login(staff.email, PASSWORD, "10.0.0.2").status_code == 302  # the owner elsewhere: not locked out

    helper = Client()
    helper.force_login(other_staff)
    response = helper.post(
        "/admin/platform_core/user/", {"action": "unlock_sign_in", "_selected_action": [staff.pk]}, follow=True
    )
    assert response.status_code == 200
    assert admin_login(staff.email, PASSWORD, "10.0.0.1").status_code == 302


def test_the_admin_login_is_throttled_per_source(settings):
    settings.ADMIN_LOGIN_IP_RATE = "4/15m"
    emails = [UserFactory(is_staff=True, customer=None).email for _ in range(5)]
    codes = [admin_login(email, "wrong", "10.0.0.9").status_code for email in emails]
    assert codes == [200, 200, 200, 200, 429]
    assert User.objects.filter(is_staff=True).count() == 5
