"""Staff pages: connections (token write-only), runs, record changes and conflicts."""

import pytest
from django.test import Client

from integrations.airtable.crypto import token_decrypt
from integrations.airtable.models import AirtableConflict, AirtableConnection
from integrations.airtable.services import airtable_connection_create
from platform_core.models import Customer
from tests.integrations.airtable.conftest import BASE, TOKEN
from tests.platform_core.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(UserFactory(customer=None, is_staff=True, is_superuser=True))
    return client


def test_staff_add_a_connection_and_the_token_is_never_shown_back(staff_client):
    customer = Customer.objects.create(name="Ops", slug="ops")
    response = staff_client.post(
        "/admin/airtable/airtableconnection/add/",
        {"customer": customer.pk, "name": "Ops base", "base_id": BASE, "status": "active", "new_token": TOKEN,
         "tables-TOTAL_FORMS": "0", "tables-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    connection = AirtableConnection.objects.get(customer=customer)
    assert token_decrypt(connection.token_encrypted) == TOKEN
    page = staff_client.get(f"/admin/airtable/airtableconnection/{connection.pk}/change/").content.decode()
    assert TOKEN not in page and connection.token_encrypted not in page


def test_runs_changes_and_conflicts_pages_render(staff_client):
    owner = UserFactory()
    connection = airtable_connection_create(customer=owner.customer, user=owner, base_id=BASE, token=TOKEN)
    AirtableConflict.objects.create(
        connection=connection, mapping=connection.tables.get(entity="assessment_result"), entity="assessment_result",
        key="s-1", field="overall_score", platform_value=70, airtable_value=90, rule="platform", winner="platform",
        reason="Platform-owned field (computed on the platform): the platform wins.",
    )  # fmt: skip
    for page in ("airtableconnection", "airtablesyncrun", "airtablerecordchange", "airtableconflict"):
        response = staff_client.get(f"/admin/airtable/{page}/")
        assert response.status_code == 200, page
    assert "Platform-owned field" in staff_client.get("/admin/airtable/airtableconflict/").content.decode()
