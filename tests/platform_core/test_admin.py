"""The admin as staff see it: branded, the health numbers on its index, and every registered model's
changelist answering a search and a filter; people who are not staff are sent to the login."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from platform_core.services.dead_letters import dead_letter_record
from tests.assessments.factories import ProductFactory
from tests.platform_core.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "replica"])  # the analytics page reads the standby

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True, customer=None)


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def rows(user):
    """A customer with a member and a product: values for the filters that list what exists."""
    ProductFactory(customer=user.customer, product_name="Demo product")
    return user


def test_staff_sign_in_and_see_the_branded_index_with_the_health_numbers(settings, staff):
    dead_letter_record(
        task_name="exports.tasks.export_render",
        task_id="t-1",
        args=[],
        kwargs={},
        error="boom",
        traceback="",
        attempts=3,
    )
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/admin/")

    page = client.get("/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"<title>Platform operations | {settings.ADMIN_SITE_HEADER}</title>" in html
    assert settings.ADMIN_SITE_HEADER in html.split('id="site-name"')[1].split("</div>")[0]
    assert 'id="platform-health"' in html
    assert 'data-field="dead_letters_open">1</a>' in html  # the letter recorded above
    assert 'data-field="jobs.running">0<' in html
    assert 'href="/admin/health/"' in html and 'href="/admin/realtime/analyticsrollup/"' in html

    health = client.get("/admin/health/").content.decode()
    assert settings.ADMIN_SITE_HEADER in health  # the health page carries the same header


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=[m._meta.label_lower for m, _ in REGISTERED])
def test_every_changelist_answers_a_search_and_a_filter(staff_client, rows, model, model_admin):
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    response = staff_client.get(url, {"q": "demo"} if model_admin.search_fields else {})
    assert response.status_code == 200, response.content[:500]
    changelist = response.context.get("cl") if response.context else None
    if changelist is None:  # a page of its own (the analytics dashboard): no list to filter
        assert not model_admin.list_filter
        return
    if not model_admin.list_filter:
        return
    # The first filter option a staff member could click (a value that exists, or a fixed choice) ...
    choice = next(
        (c for spec in changelist.filter_specs for c in spec.choices(changelist) if not c["selected"]),
        None,
    )
    if choice is not None:
        filtered = staff_client.get(url + choice["query_string"])
    else:  # ... or, with no rows to offer values, the filter's own parameter typed in
        spec = changelist.filter_specs[0]
        filtered = staff_client.get(url, {spec.expected_parameters()[0]: "1", "q": "demo"})
    assert filtered.status_code == 200, (filtered.status_code, filtered.get("Location"))
    assert filtered.context["cl"].has_active_filters


def test_people_who_are_not_staff_are_sent_to_the_login(user):
    client = Client()
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    signed_in = client.post("/admin/login/?next=/admin/", {"username": user.email, "password": PASSWORD})
    assert signed_in.status_code == 200  # the form again: a customer's login is not a staff login
    client.force_login(user)
    for path in ("/admin/", "/admin/health/", "/admin/platform_core/job/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), path
