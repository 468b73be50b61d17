"""The router against a real second database standing in for the replica."""

import pytest
from django.conf import settings
from django.db import connections

from config.db_router import analytics_db
from platform_core.models import Customer


@pytest.mark.django_db(databases=["default", "replica"], transaction=True)
def test_writes_go_to_primary_and_analytics_reads_come_from_the_replica():
    assert "replica" in settings.DATABASES, "make test provides DATABASE_REPLICA_URL"
    assert connections["replica"].settings_dict["NAME"] != connections["default"].settings_dict["NAME"]
    assert analytics_db() == "replica"

    Customer.objects.create(name="Written", slug="written")
    assert Customer.objects.filter(slug="written").exists()  # ordinary reads: primary
    assert not Customer.objects.using(analytics_db()).filter(slug="written").exists()  # not yet "replicated"

    # Replication copies the row; analytics now see it on the replica.
    Customer.objects.using("replica").create(name="Written", slug="written")
    assert Customer.objects.using(analytics_db()).filter(slug="written").count() == 1


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_without_a_replica_analytics_read_the_primary(settings):
    settings.DATABASES = {"default": settings.DATABASES["default"]}
    assert analytics_db() == "default"
