"""The router against a real streaming-replication standby of the test database (make test --replica)."""

import pytest
from django.conf import settings
from django.db import connections

from config.db_router import analytics_db, replica_status
from platform_core.models import Customer
from tests.support.replica import wait_replicated


@pytest.mark.django_db(databases=["default", "replica"], transaction=True)
def test_writes_go_to_primary_and_analytics_reads_come_from_the_standby():
    assert "replica" in settings.DATABASES, "make test provides DATABASE_REPLICA_URL"
    replica, primary = connections["replica"].settings_dict, connections["default"].settings_dict
    assert (replica["NAME"], replica["PORT"]) == (primary["NAME"], replica["PORT"])
    assert replica["PORT"] != primary["PORT"]  # another server, holding a copy of the same database
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)
    assert replica_status(refresh=True)["usable"]
    assert analytics_db() == "replica"

    Customer.objects.create(name="Written", slug="written")
    assert Customer.objects.filter(slug="written").exists()  # ordinary reads: primary

    # Nothing writes to the standby: the row arrives by replication.
    wait_replicated()
    assert Customer.objects.using(analytics_db()).filter(slug="written").count() == 1


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_without_a_replica_analytics_read_the_primary(settings):
    settings.DATABASES = {"default": settings.DATABASES["default"]}
    assert analytics_db() == "default"
