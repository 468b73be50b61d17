from decimal import Decimal

import pytest
from django.test import Client

from integrations.ai.services import ai_usage_record
from tests.platform_core.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_usage_admin_shows_today_month_customers_and_top_users():
    staff = UserFactory(is_staff=True, is_superuser=True, customer=None)
    acme = CustomerFactory(name="Acme Corp")
    spender = UserFactory(customer=acme, email="spender@acme.example")
    ai_usage_record(operation="icp", provider="openai", model="gpt-4o-mini", customer_id=acme.pk,
                    user_id=spender.pk, input_tokens=1000, output_tokens=500, cost_usd=Decimal("1.2345"))  # fmt: skip
    client = Client()
    client.force_login(staff)

    page = client.get("/admin/ai/aiusage/")

    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Today", "This month", "Acme Corp", "spender@acme.example", "$1.2345"):
        assert text in html
    assert client.get("/admin/ai/aiusagedaily/").status_code == 200
    assert client.get("/admin/ai/aibudget/add/").status_code == 200
