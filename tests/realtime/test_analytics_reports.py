"""Usage reports: the customer's in the exports document list, the weekly platform PDF e-mailed to staff."""

import pytest

from exports.documents import DocumentRequest, document_type_get
from exports.renderers import FORMATS
from exports.tasks import platform_report_send
from platform_core.analytics import event_buffer_flush, event_record
from realtime.analytics.services import rollups_fold, views_refresh
from tests.platform_core.factories import UserFactory
from tests.realtime.test_sockets import jwt_client
from tests.support.replica import wait_replicated
from tests.support.worker import wait_for

with_replica = pytest.mark.django_db(databases=["default", "replica"], transaction=True)


@with_replica
def test_the_customer_usage_report_is_offered_and_holds_the_customers_numbers(tmp_path):
    mine, theirs = UserFactory(), UserFactory()
    for _ in range(4):
        event_record("tool.used", user=mine, properties={"tool": "cost_calculator"})
    event_record("tool.used", user=theirs, properties={"tool": "cost_calculator"})
    event_buffer_flush()
    rollups_fold()
    wait_replicated()

    documents = jwt_client(mine).get("/api/v1/exports/documents/").json()
    listed = documents["results"] if isinstance(documents, dict) else documents
    assert "usage_report" in [document.get("name") or document.get("document") for document in listed]

    document = document_type_get("usage_report").build(DocumentRequest(customer=mine.customer, user=mine, params={}))
    path = tmp_path / "usage.md"
    FORMATS["markdown"].render(document, path)
    text = path.read_text()
    assert "| tool.used | 4 |" in text.replace("  ", " ")


@with_replica
def test_the_weekly_platform_report_is_emailed_to_staff_as_a_pdf(celery_worker, worker_mailbox):
    staff = UserFactory(customer=None, is_staff=True, email="ops-report@example.com")
    member = UserFactory()
    event_record("user.signed_up", user=member)
    event_buffer_flush()
    rollups_fold()
    views_refresh()

    platform_report_send.delay()
    (message,) = wait_for(lambda: worker_mailbox.to(staff.email), what="the weekly report e-mail")
    assert "Weekly platform report" in message["Subject"]
    attachments = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    assert len(attachments) == 1
    assert attachments[0].get_payload(decode=True).startswith(b"%PDF")
    assert attachments[0].get_filename().startswith("platform-report-")
