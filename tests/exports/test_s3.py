"""Exports on S3: moto's server over HTTP, driven by boto3 through django-storages' S3 backend."""

import copy
import io
import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import docx
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone
from storages.backends.s3 import S3Storage

from exports.models import Branding, Export
from exports.services import exports_purge
from platform_core.models import Job
from tests.exports.test_api import request_export, run_render
from tests.support.s3 import bucket_keys, s3_client

pytestmark = pytest.mark.django_db


def test_settings_switch_the_default_storage_to_s3_when_a_bucket_is_set(s3_server):
    options = s3_server["storages"]["default"]["OPTIONS"]
    assert s3_server["storages"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["bucket_name"] == s3_server["bucket"] and options["endpoint_url"] == s3_server["endpoint"]
    assert options["default_acl"] is None  # private objects, reached through presigned links


def test_export_round_trip_through_s3_and_a_presigned_link(sheet_document, s3_storage, auth_client):
    assert isinstance(storages["default"], S3Storage)
    export = run_render(request_export(auth_client, "docx").json()["exportId"])
    assert export.status == "ready"
    assert export.file_key in bucket_keys(s3_storage["endpoint"], s3_storage["bucket"])
    stored = s3_client(s3_storage["endpoint"]).get_object(Bucket=s3_storage["bucket"], Key=export.file_key)
    stored_bytes = stored["Body"].read()
    assert len(stored_bytes) == export.size

    response = auth_client.get(f"/api/v1/exports/{export.id}/download")
    assert response.status_code == 302
    link = response["Location"]
    assert link.startswith(f"{s3_storage['endpoint']}/{s3_storage['bucket']}/exports/")
    query = parse_qs(urlsplit(link).query)
    assert int(query["X-Amz-Expires"][0]) in range(86_390, 86_401)  # 24 h

    # No credentials: the signature is the permission (moto does not check it; S3 and MinIO do).
    with urllib.request.urlopen(link) as download:  # noqa: S310 - http://127.0.0.1 from the test's own server
        body = download.read()
        headers = download.headers
    assert body == stored_bytes
    assert headers["Content-Disposition"].startswith(f'attachment; filename="{export.file_name}"')
    assert headers["Content-Type"] == export.content_type
    assert headers["Cache-Control"].startswith("private, max-age=") and headers["Cache-Control"].endswith("immutable")
    assert headers["ETag"] == stored["ETag"]
    paragraphs = [p.text for p in docx.Document(io.BytesIO(body)).paragraphs]
    assert "Pipeline Sheet" in paragraphs
    export.refresh_from_db()
    assert export.download_count == 1


def test_a_failed_render_leaves_nothing_in_the_bucket(sheet_document, s3_storage, auth_client, user):
    before = set(bucket_keys(s3_storage["endpoint"], s3_storage["bucket"]))
    Branding.objects.create(customer=user.customer, logo=ContentFile(b"GIF89a broken", "logo.gif"))
    export = run_render(request_export(auth_client, "pdf").json()["exportId"])
    assert export.job.status == "failed" and export.job.error_code == "render_failed"
    after = set(bucket_keys(s3_storage["endpoint"], s3_storage["bucket"]))
    assert {key for key in after - before if key.startswith("exports/")} == set()


def test_expiry_answers_410_and_purge_deletes_the_object(sheet_document, s3_storage, auth_client):
    export = run_render(request_export(auth_client, "csv").json()["exportId"])
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = auth_client.get(f"/api/v1/exports/{export.id}/download")
    assert response.status_code == 410 and response.json()["error"]["code"] == "export_expired"

    assert exports_purge() == 1
    assert export.file_key not in bucket_keys(s3_storage["endpoint"], s3_storage["bucket"])


def test_a_store_that_refuses_the_upload_retries_the_job_later(sheet_document, s3_storage, auth_client, settings):
    storages_setting = copy.deepcopy(s3_storage["storages"])
    storages_setting["default"]["OPTIONS"]["bucket_name"] = "no-such-bucket"
    settings.STORAGES = storages_setting
    export = run_render(request_export(auth_client, "csv").json()["exportId"])
    job = Job.objects.get(export=export)
    assert job.status == "queued" and job.attempts == 1  # sent again after a backoff (on commit)
    assert "The file store is unavailable" in job.message
    assert export.status == "queued" and export.ready_at is None
