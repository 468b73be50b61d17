"""The export API on the local-filesystem storage: request, render, history, delivery, expiry, cleanup.

The render runs in this process through the Celery task itself (`apply`); test_worker.py runs it
on a real worker.
"""

import io
from datetime import timedelta
from pathlib import Path

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone
from PIL import Image

from exports.models import Branding, Export
from exports.services import exports_purge
from exports.tasks import export_render as export_render_task
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint
from platform_core.models import DeadLetter, Job
from tests.exports.conftest import SHEET
from tests.platform_core.factories import UserFactory

pytestmark = pytest.mark.django_db


def request_export(client, fmt="pdf", document=SHEET, **extra):
    return client.post("/api/v1/exports/", {"document": document, "format": fmt, **extra}, format="json")


def run_render(export_id):
    """What the worker does with the job's message: the task, with the job's task id."""
    job = Job.objects.get(export__pk=export_id)
    export_render_task.apply(args=[str(job.id)], task_id=job.task_id)
    return Export.objects.select_related("job").get(pk=export_id)


def requested_and_rendered(client, fmt="pdf"):
    response = request_export(client, fmt)
    assert response.status_code == 202, response.json()
    return run_render(response.json()["exportId"])


def stored(export):
    return storages["default"].exists(export.file_key)


def follow(client, download_response):
    location = download_response["Location"]
    assert location.startswith("http://testserver/api/v1/exports/files/")
    return client.get(location.removeprefix("http://testserver"))


def test_request_answers_202_with_the_job_and_export_and_lists_it(sheet_document, auth_client, user):
    response = request_export(auth_client, "docx")
    assert response.status_code == 202
    body = response.json()
    export = Export.objects.get(pk=body["exportId"])
    assert body["jobId"] == str(export.job_id) and body["status"] == "queued"
    assert body["statusUrl"] == f"/api/v1/jobs/{export.job_id}/"
    assert Job.objects.get(export=export).task_name == "exports.tasks.export_render"
    assert export.customer == user.customer

    detail = auth_client.get(f"/api/v1/exports/{export.id}/").json()
    assert detail["status"] == "queued" and detail["downloadUrl"] is None
    assert detail["fileName"].endswith(".docx") and detail["fileName"].startswith("pipeline-sheet-")
    history = auth_client.get("/api/v1/exports/").json()
    assert [item["id"] for item in history["results"]] == [str(export.id)]


def test_document_types_are_offered_only_with_data(sheet_document, auth_client, user, api_client):
    offered = auth_client.get("/api/v1/exports/documents/").json()
    assert {"name": SHEET, "title": "Pipeline Sheet", "description": "Test document"}.items() <= offered[0].items()
    assert offered[0]["formats"] == ["pdf", "docx", "csv", "markdown", "json"]

    empty = UserFactory(customer__slug="empty-customer")
    api_client.force_authenticate(empty)
    assert SHEET not in [d["name"] for d in api_client.get("/api/v1/exports/documents/").json()]
    response = request_export(api_client)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "nothing_to_export"
    assert not Export.objects.exists() and not Job.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"document": "no-such-document", "format": "pdf"}, "document"),
        ({"document": SHEET, "format": "xlsx"}, "format"),
        ({"format": "pdf"}, "document"),
        ({"document": SHEET, "format": "pdf", "ids": "not-a-list"}, "ids"),
    ],
)
def test_bad_requests_answer_400_and_write_nothing(sheet_document, auth_client, body, field):
    response = auth_client.post("/api/v1/exports/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error" and field in error["details"]
    assert not Export.objects.exists() and not Job.objects.exists()


def test_rendered_export_downloads_through_a_signed_link_with_cdn_headers(sheet_document, auth_client, api_client):
    export = requested_and_rendered(auth_client)
    assert export.status == "ready" and export.job.status == "succeeded"
    assert export.job.result["downloadUrl"] == f"/api/v1/exports/{export.id}/download"
    detail = auth_client.get(f"/api/v1/exports/{export.id}/").json()
    assert detail["status"] == "ready" and detail["progress"] == 100 and detail["size"] > 1000

    response = auth_client.get(f"/api/v1/exports/{export.id}/download")
    assert response.status_code == 302
    assert response["Cache-Control"] == "no-store"
    assert response.json()["url"] == response["Location"]

    file = follow(api_client, response)  # no login: the signature is the permission
    assert file.status_code == 200
    assert file["Content-Type"] == "application/pdf"
    assert file["Content-Disposition"] == (
        f"attachment; filename=\"{export.file_name}\"; filename*=UTF-8''{export.file_name}"
    )
    assert file["ETag"] == f'"{export.etag}"'
    cache = file["Cache-Control"]
    assert cache.startswith("private, max-age=") and cache.endswith(", immutable")
    assert 86_000 < int(cache.split("max-age=")[1].split(",")[0]) <= 86_400
    body = b"".join(file.streaming_content)
    assert len(body) == export.size
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)
    assert "Pipeline Sheet" in text and "$1,234,567" in text

    again = api_client.get(file.request["PATH_INFO"], HTTP_IF_NONE_MATCH=file["ETag"])
    assert again.status_code == 304
    export.refresh_from_db()
    assert export.download_count == 1 and export.last_downloaded_at is not None


def test_a_ready_export_emits_the_export_ready_webhook_event(sheet_document, auth_client, user):
    WebhookEndpoint.objects.create(
        customer=user.customer, url="https://hooks.example.com/a", event_types=["export.ready"]
    )
    WebhookEndpoint.objects.create(
        customer=user.customer, url="https://hooks.example.com/b", event_types=["cost.calculated"]
    )
    export = requested_and_rendered(auth_client, "csv")
    delivery = WebhookDelivery.objects.get(customer=user.customer)
    assert delivery.url == "https://hooks.example.com/a" and delivery.event_type == "export.ready"
    data = delivery.payload["data"]
    assert data["exportId"] == str(export.id) and data["format"] == "csv" and data["size"] == export.size
    assert data["downloadUrl"] == f"/api/v1/exports/{export.id}/download"


def test_each_download_is_counted_and_audited(sheet_document, auth_client, user):
    from platform_core.models import AuditEvent

    export = requested_and_rendered(auth_client, "csv")
    for _ in range(3):
        assert auth_client.get(f"/api/v1/exports/{export.id}/download/").status_code == 302
    assert auth_client.get(f"/api/v1/exports/{export.id}/").json()["downloadCount"] == 3
    events = AuditEvent.objects.filter(kind="export_downloaded", target=str(export.id))
    assert events.count() == 3
    assert {(e.actor_id, e.customer_id, e.details["format"]) for e in events} == {(user.pk, user.customer_id, "csv")}


def test_another_customers_export_is_404(sheet_document, auth_client, api_client):
    export = requested_and_rendered(auth_client)
    api_client.force_authenticate(UserFactory())
    for path in (f"/api/v1/exports/{export.id}/", f"/api/v1/exports/{export.id}/download"):
        response = api_client.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert api_client.get("/api/v1/exports/").json()["results"] == []
    export.refresh_from_db()
    assert export.download_count == 0


def test_not_ready_is_409(sheet_document, auth_client):
    export_id = request_export(auth_client).json()["exportId"]
    response = auth_client.get(f"/api/v1/exports/{export_id}/download")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "export_not_ready"


def test_an_expired_export_answers_410_and_its_link_too(sheet_document, auth_client, api_client):
    export = requested_and_rendered(auth_client, "markdown")
    link = auth_client.get(f"/api/v1/exports/{export.id}/download")
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = auth_client.get(f"/api/v1/exports/{export.id}/download")
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "export_expired"
    assert auth_client.get(f"/api/v1/exports/{export.id}/").json()["status"] == "expired"
    late = follow(api_client, link)
    assert late.status_code == 410 and late.json()["error"]["code"] == "export_expired"


def test_an_expired_link_answers_410_and_a_forged_one_404(sheet_document, auth_client, api_client, settings):
    export = requested_and_rendered(auth_client, "json")
    settings.EXPORT_LINK_TTL_SECONDS = -1  # a link that expired the moment it was made
    response = follow(api_client, auth_client.get(f"/api/v1/exports/{export.id}/download"))
    assert response.status_code == 410 and response.json()["error"]["code"] == "link_expired"

    settings.EXPORT_LINK_TTL_SECONDS = 3600
    location = auth_client.get(f"/api/v1/exports/{export.id}/download")["Location"]
    token = location.split("/files/")[1].rstrip("/")
    forged = api_client.get(f"/api/v1/exports/files/{token[:-2]}xx/")
    assert forged.status_code == 404


def test_a_link_never_outlives_the_export(sheet_document, auth_client):
    export = requested_and_rendered(auth_client)
    soon = timezone.now() + timedelta(minutes=10)
    Export.objects.filter(pk=export.pk).update(expires_at=soon)
    body = auth_client.get(f"/api/v1/exports/{export.id}/download").json()
    assert abs((timezone.datetime.fromisoformat(body["expiresAt"]) - soon).total_seconds()) < 1


def test_a_failed_render_leaves_no_file_and_a_failed_job_with_its_reason(sheet_document, auth_client, user, settings):
    Branding.objects.create(customer=user.customer, color="#AA3300", logo=ContentFile(b"not an image", "logo.png"))
    response = request_export(auth_client, "pdf")
    export = run_render(response.json()["exportId"])

    assert export.status == "failed" and export.job.status == "failed"
    detail = auth_client.get(f"/api/v1/exports/{export.id}/").json()
    assert detail["error"]["code"] == "render_failed"
    assert "PDF could not be rendered" in detail["error"]["message"]
    assert not stored(export)
    assert list(Path(settings.PLATFORM_TMP_DIR).iterdir()) == []  # the temporary render is gone too
    assert DeadLetter.objects.filter(job=export.job).exists()
    download = auth_client.get(f"/api/v1/exports/{export.id}/download")
    assert download.status_code == 409
    assert download.json()["error"]["details"]["reason"]["code"] == "render_failed"


def test_brand_colour_and_logo_reach_the_pdf(sheet_document, auth_client, user):
    png = io.BytesIO()
    Image.new("RGB", (90, 30), (10, 120, 200)).save(png, format="PNG")
    Branding.objects.create(customer=user.customer, color="#0A78C8", logo=ContentFile(png.getvalue(), "logo.png"))
    export = requested_and_rendered(auth_client)
    with storages["default"].open(export.file_key, "rb") as file:
        reader = pypdf.PdfReader(file)
        assert all(len(page.images) == 1 for page in reader.pages)


def test_purge_removes_expired_files_and_failed_leftovers_but_keeps_history(sheet_document, auth_client):
    kept = requested_and_rendered(auth_client)
    expired = requested_and_rendered(auth_client, "csv")
    Export.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    failed = Export.objects.get(id=request_export(auth_client).json()["exportId"])
    storages["default"].save(failed.file_key, ContentFile(b"half a file"))  # what a killed worker left
    Job.objects.filter(export=failed).update(status=Job.Status.FAILED)

    assert exports_purge() == 2
    assert stored(kept) and not stored(expired) and not stored(failed)
    assert auth_client.get(f"/api/v1/exports/{expired.id}/").json()["status"] == "expired"
    assert exports_purge() == 0


def test_export_requests_are_rate_limited_but_the_history_is_not(sheet_document, auth_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "exports_create": "2/15m"}
    assert [request_export(auth_client).status_code for _ in range(2)] == [202, 202]
    limited = request_export(auth_client)
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    assert Export.objects.count() == 2
    assert all(auth_client.get("/api/v1/exports/").status_code == 200 for _ in range(3))


def test_signed_links_are_not_limited_like_anonymous_calls(sheet_document, auth_client, api_client, settings):
    export = requested_and_rendered(auth_client, "json")
    link = auth_client.get(f"/api/v1/exports/{export.id}/download")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "anon": "2/15m"}
    assert [follow(api_client, link).status_code for _ in range(4)] == [200] * 4
    assert api_client.get("/api/v1/exports/files/forged/").status_code == 404
