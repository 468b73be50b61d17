"""The admin page of the top SQL statements (pg_stat_statements), linked from the staff health page.

The test database's server decides what staff see: with the extension (compose, production) the slowest
statement just run is listed with its calls and time; without it (the pip-shipped PostgreSQL of `make
test` does not ship it) the page says the extension is not installed. Members never see either.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from tests.platform_core.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/admin/health/statements/"


def _extension_created() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")
        return cursor.fetchone() is not None


def _extension_on_server() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements'")
        return cursor.fetchone() is not None


def test_staff_see_the_top_statements_or_that_the_server_lacks_the_extension(client):
    client.force_login(UserFactory(is_staff=True, customer=None))
    with connection.cursor() as cursor:
        for _ in range(3):  # 0.6 s in all: near the top by total time
            cursor.execute("SELECT pg_sleep(%s) /* statements-page-probe */", [0.2])

    response = client.get(URL)

    assert response.status_code == 200
    report = response.context["report"]
    if _extension_created():
        probe = next(s for s in report.statements if "statements-page-probe" in s.query)
        assert probe.calls >= 3
        assert probe.total_ms >= 600
        assert "pg_sleep($1)" in probe.query  # constants are normalized, never shown
        assert b"statements-page-probe" in response.content
    else:
        assert not report.available and report.statements == []
        if _extension_on_server():  # offered but not created (the migration's role may not create it)
            assert "not created in this database" in report.message
        else:
            assert report.message == "pg_stat_statements is not installed on this server."
        assert b'id="statements-unavailable">pg_stat_statements is' in response.content


def test_the_health_page_links_to_it(client):
    client.force_login(UserFactory(is_staff=True, customer=None))
    response = client.get("/admin/health/")
    assert response.status_code == 200
    assert f'href="{URL}"'.encode() in response.content


def test_members_and_anonymous_visitors_are_sent_to_the_admin_login():
    member = Client()
    member.force_login(UserFactory())
    for visitor in (member, Client()):
        response = visitor.get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
        assert b"pg_stat_statements" not in response.content
