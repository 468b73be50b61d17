"""Issue 13 item 6: bad JSON of any shape is 400 parse_error (platform_core.parsers.PlatformJSONParser,
the parser of every API view); a 10 kB nested array used to be a 500 (RecursionError)."""

import pytest
from rest_framework.test import APIClient

from tests.platform_core.factories import UserFactory
from tests.platform_core.security_support import bearer, login

pytestmark = pytest.mark.django_db

BAD_BODIES = {
    "nested 10 kB": b"[" * 5000 + b"]" * 5000,
    "nested objects": b'{"a":' * 3000 + b"1" + b"}" * 3000,
    "nested just past the cap": b'{"productName": ' + b"[" * 40 + b"]" * 40 + b"}",
    "too many values": b"[" + b",".join([b"1"] * 30000) + b"]",
    "not JSON": b"{'single': 'quotes'}",
    "truncated": b'{"productName": "x"',
    "NaN": b'{"productName": NaN}',
    "huge integer": b'{"n": ' + b"9" * 5000 + b"}",
    "bad UTF-8": b'{"productName": "\xff\xfe"}',
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
@pytest.mark.parametrize("who", ["anonymous", "signed in"])
def test_bad_json_is_a_400_parse_error(body, who):
    if who == "anonymous":
        client, path = APIClient(), "/api/v1/auth/token/"
    else:
        client, path = bearer(login(UserFactory().email)["access"]), "/api/v1/products/"

    response = client.generic("POST", path, body, content_type="application/json")

    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] == "parse_error"


def test_json_within_the_limits_still_parses():
    client = bearer(login(UserFactory().email)["access"])
    product = {
        "productName": "Robo", "productDescription": "Quotes robots.", "distinguishingFeature": "Fast",
        "businessModel": "b2b-subscription", "competitiveAdvantages": ["a", "b", "c"],
    }  # fmt: skip
    response = client.post("/api/v1/products/", product, format="json")
    assert response.status_code == 201, response.content
