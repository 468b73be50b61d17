"""The staff analytics dashboard in the admin: server-side SVG charts from the materialized views."""

import re

import pytest
from django.test import Client

from platform_core.analytics import event_buffer_flush, event_record
from realtime.analytics.services import rollups_fold, views_refresh
from tests.platform_core.factories import UserFactory
from tests.support.replica import wait_replicated

with_replica = pytest.mark.django_db(databases=["default", "replica"], transaction=True)
URL = "/admin/realtime/analyticsrollup/"


@with_replica
def test_staff_see_charts_of_the_platforms_usage_with_todays_numbers():
    member = UserFactory()
    for _ in range(3):
        event_record("export.requested", user=member, properties={"document": "icp", "format": "pdf"})
    event_buffer_flush()
    rollups_fold()
    views_refresh()
    wait_replicated()

    staff = Client()
    staff.force_login(UserFactory(customer=None, is_staff=True, is_superuser=True))
    response = staff.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Read from the replica" in html
    chart = re.search(r'<svg class="chart" data-chart="export.requested".*?</svg>', html, re.S)
    assert chart is not None
    today_bar = re.findall(r'data-value="([0-9.]+)"', chart.group(0))[-1]
    assert float(today_bar) >= 3
    assert 'data-chart="active_users"' in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    # nothing from another host (the admin's icon is inline, a data: URI)
    assert sources and all(source.startswith(("/", "#", "data:")) for source in sources), sources


@with_replica
def test_the_dashboard_is_for_staff_only():
    client = Client()
    client.force_login(UserFactory())  # a customer's owner, not staff
    response = client.get(URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
