"""Connections over the API: owners/admins of one customer, the token never shown, clear errors."""

import pytest
from rest_framework.test import APIClient

from integrations.airtable.models import AirtableConnection
from platform_core.models import User
from tests.integrations.airtable.conftest import BASE, TOKEN
from tests.platform_core.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/integrations/airtable/connections/"


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def create(client: APIClient, **extra) -> dict:
    response = client.post(URL, {"name": "Legacy base", "baseId": BASE, "token": TOKEN, **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_connection_ships_the_three_legacy_tables_and_never_returns_its_token(fake):
    owner = UserFactory()
    body = create(client_for(owner))
    assert body["tokenSet"] is True and "token" not in body
    assert TOKEN not in str(body)
    assert {t["entity"]: (t["tableName"], t["keyField"], t["direction"]) for t in body["tables"]} == {
        "assessment_result": ("Assessment Results", "Session ID", "both"),
        "user_progress": ("User Progress", "Tool Name", "both"),
        "customer_assets": ("Customer Assets", "Customer ID", "push"),
    }
    scores = next(t for t in body["tables"] if t["entity"] == "assessment_result")["fields"]
    assert {"airtable": "Overall Score", "platform": "overall_score", "type": "integer", "rule": "platform"} in scores
    stored = AirtableConnection.objects.get(pk=body["id"])
    assert TOKEN not in stored.token_encrypted  # encrypted at rest
    detail = client_for(owner).get(f"{URL}{body['id']}/").json()
    assert TOKEN not in str(detail) and detail["tokenSet"] is True


def test_another_customer_sees_404_and_members_are_refused(fake):
    owner = UserFactory()
    body = create(client_for(owner))
    other = client_for(UserFactory())
    assert other.get(f"{URL}{body['id']}/").status_code == 404
    assert other.post(f"{URL}{body['id']}/sync/", {}, format="json").status_code == 404
    assert other.get(URL).json()["count"] == 0
    member = client_for(UserFactory(customer=owner.customer, role=User.Role.MEMBER))
    response = member.get(URL)
    assert response.status_code == 403 and response.json()["error"]["code"] == "manager_role_required"


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"baseId": "not-a-base", "token": TOKEN}, "invalid", "baseId"),
        ({"baseId": BASE}, "required", "token"),
        ({"baseId": BASE, "token": TOKEN, "tables": [{"entity": "invoices"}]}, "invalid_field_mapping", None),
        (
            {"baseId": BASE, "token": TOKEN, "tables": [{"entity": "customer_assets", "direction": "both"}]},
            "invalid_field_mapping",
            None,
        ),
        (
            {
                "baseId": BASE,
                "token": TOKEN,
                "tables": [
                    {
                        "entity": "assessment_result",
                        "fields": [{"airtable": "Overall Score", "platform": "overall_score", "type": "money"}],
                    }
                ],
            },
            "invalid_field_mapping",
            None,
        ),
        (
            {
                "baseId": BASE,
                "token": TOKEN,
                "tables": [
                    {
                        "entity": "assessment_result",
                        "fields": [{"airtable": "Overall Score", "platform": "overall_score", "rule": "loudest"}],
                    }
                ],
            },
            "invalid_field_mapping",
            None,
        ),
    ],
)
def test_bad_input_is_a_400_with_a_stable_code_and_nothing_is_written(fake, payload, code, field):
    response = client_for(UserFactory()).post(URL, payload, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code if code != "invalid" and code != "required" else error["code"] == "validation_error"
    if field:
        assert field in error["details"]
    assert not AirtableConnection.objects.exists()


def test_the_same_base_twice_is_a_409(fake):
    client = client_for(UserFactory())
    create(client)
    response = client.post(URL, {"baseId": BASE, "token": TOKEN}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "airtable_base_already_connected"


def test_an_invalid_token_answers_airtable_unauthorized_and_marks_the_connection_failing(fake):
    client = client_for(UserFactory())
    body = create(client, token="patWRONG.not-this-one")
    response = client.post(f"{URL}{body['id']}/check/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "airtable_unauthorized"
    assert "patWRONG" not in response.content.decode()
    detail = client.get(f"{URL}{body['id']}/").json()
    assert detail["status"] == "failing" and detail["lastErrorCode"] == "airtable_unauthorized"
    # A new token brings it back.
    client.patch(f"{URL}{body['id']}/", {"token": TOKEN}, format="json")
    assert client.post(f"{URL}{body['id']}/check/").json()["status"] == "active"


def test_a_missing_table_or_field_answers_airtable_schema_mismatch_naming_it(fake):
    client = client_for(UserFactory())
    body = create(client)
    del fake.table(BASE, "User Progress").fields["Progress Data"]
    response = client.post(f"{URL}{body['id']}/check/")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "airtable_schema_mismatch"
    assert response.json()["error"]["details"] == {"table": "User Progress", "field": "Progress Data"}
    del fake.bases[BASE]["Customer Assets"]
    response = client.post(f"{URL}{body['id']}/check/")
    assert response.json()["error"]["code"] == "airtable_schema_mismatch"
    assert response.json()["error"]["details"]["table"] == "Customer Assets"
    assert client.get(f"{URL}{body['id']}/").json()["lastErrorCode"] == "airtable_schema_mismatch"


def test_airtable_down_answers_503_airtable_unavailable_and_marks_the_connection_failing(fake, settings):
    settings.AIRTABLE_MAX_ATTEMPTS = 2
    client = client_for(UserFactory())
    body = create(client)
    fake.fail_next("503", times=2, base=BASE)
    response = client.post(f"{URL}{body['id']}/check/")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "airtable_unavailable"
    detail = client.get(f"{URL}{body['id']}/").json()
    assert detail["status"] == "failing" and detail["lastErrorCode"] == "airtable_unavailable"
    assert client.post(f"{URL}{body['id']}/check/").json()["status"] == "active"  # back by itself once Airtable is


def test_a_paused_connection_does_not_sync(fake):
    client = client_for(UserFactory())
    body = create(client)
    client.patch(f"{URL}{body['id']}/", {"status": "paused"}, format="json")
    response = client.post(f"{URL}{body['id']}/sync/", {}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "airtable_connection_paused"
