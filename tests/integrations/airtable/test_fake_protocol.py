"""The fake speaks Airtable's protocol to the real pyairtable client (what the sync relies on)."""

import pytest
from pyairtable import Api
from requests import HTTPError

from tests.integrations.airtable.conftest import BASE, TOKEN


def status_of(error: pytest.ExceptionInfo[HTTPError]) -> int:
    assert error.value.response is not None
    return error.value.response.status_code


def test_pages_of_100_with_offsets_and_filter_by_modified_time(fake):
    fake.seed(BASE, "User Progress", [{"Tool Name": f"tool-{i}"} for i in range(250)])
    table = Api(TOKEN, endpoint_url=fake.url, retry_strategy=None).table(BASE, "User Progress")
    pages = list(table.iterate(page_size=100))
    assert [len(p) for p in pages] == [100, 100, 50]
    fake.edit(BASE, "User Progress", where=("Tool Name", "tool-7"), fields={"Customer ID": "42"})
    since = fake.find(BASE, "User Progress", "Tool Name", "tool-8")["createdTime"]
    changed = table.all(formula=f"IS_AFTER({{Last Modified}}, DATETIME_PARSE('{since}'))")
    assert [r["fields"]["Tool Name"] for r in changed] == ["tool-7"]


def test_eleven_records_in_one_write_are_a_422_and_upsert_merges_on_the_key(fake):
    table = Api(TOKEN, endpoint_url=fake.url, retry_strategy=None).table(BASE, "User Progress")
    with pytest.raises(HTTPError) as error:
        table.api.request(
            "PATCH",
            table.urls.records,
            json={
                "records": [{"fields": {"Tool Name": f"t{i}"}} for i in range(11)],
                "performUpsert": {"fieldsToMergeOn": ["Tool Name"]},
            },
        )
    assert status_of(error) == 422
    first = table.batch_upsert([{"fields": {"Tool Name": "a", "Customer ID": "1"}}], key_fields=["Tool Name"])
    again = table.batch_upsert([{"fields": {"Tool Name": "a", "Customer ID": "2"}}], key_fields=["Tool Name"])
    assert len(first["createdRecords"]) == 1 and again["updatedRecords"] == first["createdRecords"]
    assert fake.rows(BASE, "User Progress") == [{"Tool Name": "a", "Customer ID": "2"}]


def test_more_than_five_requests_in_a_second_are_429s_and_counted(fake):
    table = Api(TOKEN, endpoint_url=fake.url, retry_strategy=None).table(BASE, "User Progress")
    statuses = []
    for _ in range(7):
        try:
            table.first()
            statuses.append(200)
        except HTTPError as exc:
            statuses.append(exc.response.status_code if exc.response is not None else 0)
    assert statuses.count(429) >= 1 and fake.over_limit_base >= 1


def test_a_wrong_token_is_401(fake):
    table = Api("patNOPE.nope", endpoint_url=fake.url, retry_strategy=None).table(BASE, "User Progress")
    with pytest.raises(HTTPError) as error:
        table.first()
    assert status_of(error) == 401
