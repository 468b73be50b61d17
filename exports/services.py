"""Export writes: request a document, render it on a worker, record downloads, purge old files."""

from __future__ import annotations

import logging
import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from exports.content import Branding as BrandingContent
from exports.documents import DocumentRequest, document_type_get
from exports.models import Branding, Export
from exports.renderers import FORMATS
from exports.storage import file_delete, file_digest, file_link, file_store
from integrations.email.services import email_enqueue
from integrations.webhooks.services.outbound import webhook_event_emit
from platform_core.analytics import event_record
from platform_core.exceptions import ApplicationError
from platform_core.models import AuditEvent, Customer, Job, User
from platform_core.selectors.customers import customer_for_user
from platform_core.services.audit import audit_record
from platform_core.services.jobs import job_create, job_progress
from platform_core.taskbase import RetryableError

logger = logging.getLogger(__name__)

RENDER_TASK = "exports.tasks.export_render"
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@transaction.atomic
def export_request(*, user: User, document: str, format: str, params: dict[str, Any]) -> Export:
    """Validate the request against the customer's data and queue the render (the job starts on commit)."""
    customer = customer_for_user(user=user)
    document_type = document_type_get(document)
    if format not in document_type.formats:
        raise ApplicationError(
            f"{document_type.title} is not available as {format}.", code="unsupported_format",
            details={"format": [f"Must be one of: {', '.join(document_type.formats)}."]},
        )  # fmt: skip
    if not document_type.available(customer):
        raise ApplicationError(
            f"There is nothing to export yet for {document_type.title}.", code="nothing_to_export", status_code=409
        )
    clean_params = document_type.clean_params(customer, params)
    fmt = FORMATS[format]
    export = Export(
        customer=customer, user=user, document=document, format=format, params=clean_params,
        title=document_type.title, content_type=fmt.content_type,
    )  # fmt: skip
    stamp = timezone.now().strftime("%Y-%m-%d")
    export.file_name = f"{slugify(document_type.title)}-{slugify(customer.name)[:40]}-{stamp}.{fmt.extension}"
    export.file_key = f"exports/{customer.pk}/{export.id}/{export.file_name}"
    export.job = job_create(
        kind=f"export.{document}", task_name=RENDER_TASK, customer=customer, user=user,
        input={"exportId": str(export.id), "document": document, "format": format}, message="Waiting for a worker",
    )  # fmt: skip
    event_record("export.requested", user=user, properties={"document": document, "format": format})
    export.save()
    return export


def export_render(*, job: Job) -> dict[str, Any]:
    """Build the document, render it to a temporary file, upload it, mark the export ready.

    Nothing is left behind on failure: the temporary directory goes with the `with`, and an
    uploaded file whose export could not be marked ready is deleted again.
    """
    export = Export.objects.select_related("customer", "user").get(job=job)
    document_type = document_type_get(export.document)
    fmt = FORMATS[export.format]
    tmp_root = Path(settings.PLATFORM_TMP_DIR)
    tmp_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tmp_root, prefix="export-") as workdir:
        job_progress(job=job, progress=10, message="Collecting the data")
        request = DocumentRequest(
            customer=export.customer, user=export.user, params=export.params,
            branding=_branding(export, Path(workdir)),
        )  # fmt: skip
        document = document_type.build(request)
        job_progress(job=job, progress=30, message=f"Rendering the {fmt.name.upper()}")
        path = Path(workdir) / f"document.{fmt.extension}"
        try:
            fmt.render(document, path)
        except ApplicationError:
            raise
        except Exception as exc:
            logger.exception("rendering export %s failed", export.id)
            raise ApplicationError(
                f"The {fmt.name.upper()} could not be rendered ({type(exc).__name__}).", code="render_failed"
            ) from exc
        job_progress(job=job, progress=80, message="Storing the file")
        size, etag = path.stat().st_size, file_digest(path)
        try:
            file_store(key=export.file_key, path=path)
        except STORAGE_ERRORS as exc:  # the store is down or refusing: retried with backoff
            raise RetryableError("The file store is unavailable.", code="storage_unavailable") from exc
    try:
        export = _export_mark_ready(export=export, size=size, etag=etag)
    except BaseException:
        file_delete(key=export.file_key)
        raise
    return {
        "exportId": str(export.id),
        "fileName": export.file_name,
        "size": size,
        "downloadUrl": f"/api/v1/exports/{export.id}/download",
        "expiresAt": _iso(export.expires_at),
    }


def _branding(export: Export, workdir: Path) -> BrandingContent:
    branding = Branding.objects.filter(customer=export.customer).first()
    if branding is None:
        return BrandingContent()
    logo_path = None
    if branding.logo:
        # The renderers read a local file; the logo may live on S3.
        logo_path = workdir / f"logo{Path(branding.logo.name or '').suffix}"
        with branding.logo.open("rb") as source, logo_path.open("wb") as target:
            shutil.copyfileobj(source, target)
    return BrandingContent(color=branding.color, logo_path=str(logo_path) if logo_path else None)


def _link_expiry(export: Export) -> datetime:
    """A file link lasts EXPORT_LINK_TTL_SECONDS, never past the export's own expiry."""
    assert export.expires_at is not None
    return min(timezone.now() + timedelta(seconds=settings.EXPORT_LINK_TTL_SECONDS), export.expires_at)


@transaction.atomic
def _export_mark_ready(*, export: Export, size: int, etag: str) -> Export:
    """Ready, the `export.ready` event for the customer's webhook endpoints and the requester's e-mail,
    in one transaction."""
    now = timezone.now()
    export.size, export.etag = size, etag
    export.ready_at = now
    export.expires_at = now + timedelta(hours=settings.EXPORT_RETENTION_HOURS)
    export.save(update_fields=["size", "etag", "ready_at", "expires_at"])
    webhook_event_emit(
        customer=export.customer, event_type="export.ready",
        payload={"export_id": str(export.id), "document": export.document, "format": export.format,
                 "file_name": export.file_name, "size": size, "expires_at": _iso(export.expires_at),
                 "download_url": f"/api/v1/exports/{export.id}/download"},
    )  # fmt: skip
    if export.user is not None and export.user.email:  # a file link that works without a login, for a while
        link_expires = _link_expiry(export)
        email_enqueue(template="export_ready", to=[export.user.email], context={
            "title": export.title or export.file_name, "format": export.format,
            "download_url": urljoin(f"{settings.SITE_URL}/", file_link(export=export, expires_at=link_expires)),
            "expires_at": f"{link_expires:%Y-%m-%d %H:%M} UTC",
        })  # fmt: skip
    return export


@transaction.atomic
def export_download(
    *, export: Export, user: User | None = None, request: HttpRequest | None = None
) -> tuple[str, datetime]:
    """A signed link to a ready export (valid EXPORT_LINK_TTL_SECONDS, never past the export's expiry);
    counts the download and writes it to the audit log."""
    status = export.status
    if status == Export.Status.EXPIRED:
        raise ApplicationError(
            "This export has expired; request it again.", code="export_expired", status_code=410,
            details={"expiredAt": _iso(export.expires_at)},
        )  # fmt: skip
    if status != Export.Status.READY:
        job = export.job
        details: dict[str, Any] = {"status": status}
        if job is not None and job.error_code:
            details["reason"] = {"code": job.error_code, "message": job.error}
        raise ApplicationError(
            "The export failed." if status == Export.Status.FAILED else "The export is not ready yet.",
            code="export_failed" if status == Export.Status.FAILED else "export_not_ready",
            status_code=409, details=details,
        )  # fmt: skip
    expires_at = _link_expiry(export)
    Export.objects.filter(pk=export.pk).update(
        download_count=F("download_count") + 1, last_downloaded_at=timezone.now()
    )
    audit_record(
        kind=AuditEvent.Kind.EXPORT_DOWNLOADED, actor=user, customer=export.customer, request=request,
        target=str(export.id), details={"document": export.document, "format": export.format},
    )  # fmt: skip
    event_record(
        "export.downloaded", user=user, customer_id=export.customer_id, properties={"document": export.document}
    )
    return file_link(export=export, expires_at=expires_at), expires_at


@transaction.atomic
def branding_update(
    *, customer: Customer, color: str | None = None, logo: UploadedFile | None = None, remove_logo: bool = False
) -> Branding:
    """Set the colour and/or logo of the customer's exports; the replaced logo file is deleted after commit."""
    branding, _ = Branding.objects.select_for_update().get_or_create(customer=customer)
    old_logo = branding.logo.name if branding.logo and (logo is not None or remove_logo) else ""
    if color is not None:
        branding.color = color.upper()
    if remove_logo:
        branding.logo = None
    if logo is not None:
        branding.logo.save(logo.name or "logo", logo, save=False)
    branding.full_clean(exclude=["customer"])
    branding.save()
    if old_logo:
        transaction.on_commit(lambda: branding.logo.storage.delete(old_logo))
    return branding


def exports_purge(*, limit: int = 500) -> int:
    """Delete the files of expired exports and whatever a failed or cancelled render may have left."""
    now = timezone.now()
    ended = [Job.Status.FAILED, Job.Status.CANCELLED]
    due = Export.objects.filter(purged_at__isnull=True).filter(
        Q(expires_at__lte=now) | Q(ready_at__isnull=True, job__status__in=ended) | Q(ready_at__isnull=True, job=None)
    )
    purged = 0
    for export in due.order_by("created_at")[:limit]:
        file_delete(key=export.file_key)
        Export.objects.filter(pk=export.pk).update(purged_at=now)
        purged += 1
    return purged
