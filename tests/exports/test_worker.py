"""An export from request to download with a real Celery worker, Redis broker and channel layer."""

import asyncio
import io
from decimal import Decimal

import pypdf
import pytest
from asgiref.sync import async_to_sync
from celery import current_app
from channels.layers import get_channel_layer
from django.core.files.storage import storages

from assessments.services.costs import cost_calculation_save
from exports.models import Export
from platform_core.events import user_group
from platform_core.models import Job
from tests.exports.test_documents import COST_INPUTS
from tests.support.worker import wait_for

live = pytest.mark.django_db(transaction=True)


@pytest.fixture
def _private_file_dirs():
    """The worker is another process: files go where both find them (MEDIA_ROOT of the environment)."""


def job_events(channel: str, until: str, timeout: float = 60) -> list[dict]:
    """The job events pushed to the user's group, up to the one of type `until`."""

    async def collect() -> list[dict]:
        layer = get_channel_layer()
        events: list[dict] = []
        while not events or events[-1]["type"] != until:
            message = await asyncio.wait_for(layer.receive(channel), timeout)
            events.append(message["event"])
        return events

    return async_to_sync(collect)()


@live
def test_export_renders_on_the_exports_queue_with_progress_events_and_downloads(celery_worker, auth_client, user):
    cost_calculation_save(customer=user.customer, user=user, inputs=COST_INPUTS, scenario="aggressive")
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(user.id), channel)

    response = auth_client.post("/api/v1/exports/", {"document": "cost-of-inaction", "format": "pdf"}, format="json")
    assert response.status_code == 202
    body = response.json()
    events = job_events(channel, until="job.succeeded")
    assert [e["message"] for e in events if e["status"] == "running"][-3:] == [
        "Collecting the data",
        "Rendering the PDF",
        "Storing the file",
    ]
    assert events[-1]["result"]["downloadUrl"] == f"/api/v1/exports/{body['exportId']}/download"

    job = auth_client.get(body["statusUrl"]).json()
    assert job["status"] == "succeeded" and job["kind"] == "export.cost-of-inaction"
    export = auth_client.get(f"/api/v1/exports/{body['exportId']}/").json()
    assert export["status"] == "ready"

    link = auth_client.get(f"/api/v1/exports/{body['exportId']}/download")
    assert link.status_code == 302
    file = auth_client.get(link["Location"].removeprefix("http://testserver"))
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(b"".join(file.streaming_content))).pages)
    # aggressive = realistic x 1.3: (500,000 + 50,000 + 10,000 + 50,000) x 1.3
    assert "Cost of Inaction Analysis" in text and f"${int(Decimal(610_000) * Decimal('1.3')):,}" in text
    assert f"exports.tasks.export_render[{Job.objects.get(export__pk=body['exportId']).task_id}]" in celery_worker.log()
    assert current_app.amqp.router.route({}, "exports.tasks.export_render")["queue"].name == "exports"
    wait_for(lambda: Export.objects.get(pk=body["exportId"]).download_count == 1, what="download counted")
    storages["default"].delete(Export.objects.get(pk=body["exportId"]).file_key)
