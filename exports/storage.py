"""Export files in the default storage (filesystem or S3) and the signed links that deliver them.

S3: a presigned GET that makes the store answer with the file name and cache headers.
Filesystem: a Django-signed URL served by ExportFileView (exports/api/views.py).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.urls import reverse
from django.utils import timezone
from storages.backends.s3 import S3Storage

from exports.models import Export

LINK_SALT = "exports.file-link"
CHUNK = 1024 * 1024


def export_storage() -> Storage:
    return storages["default"]


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_store(*, key: str, path: Path) -> None:
    """Upload from disk in chunks (multipart on S3); a retry replaces the object under the same key."""
    storage = export_storage()
    storage.delete(key)  # the filesystem would otherwise save beside it under another name
    with path.open("rb") as file:
        stored = storage.save(key, File(file, name=key))
    if stored != key:  # never expected: the key is unique per export
        storage.delete(stored)
        raise RuntimeError(f"storage saved {key!r} as {stored!r}")


def file_delete(*, key: str) -> None:
    export_storage().delete(key)


def content_disposition(file_name: str) -> str:
    ascii_name = file_name.encode("ascii", "ignore").decode() or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"


def cache_control(expires_at: datetime) -> str:
    """The bytes behind a link never change, but they are one customer's: only the browser keeps them,
    until the link expires, unless a CDN in front of the links is configured (EXPORT_LINKS_CDN)."""
    seconds = max(0, int((expires_at - timezone.now()).total_seconds()))
    scope = "public" if settings.EXPORT_LINKS_CDN else "private"
    return f"{scope}, max-age={seconds}, immutable"


def file_link(*, export: Export, expires_at: datetime) -> str:
    """A link that works without a login until `expires_at`; absolute for S3, site-relative otherwise."""
    storage = export_storage()
    if isinstance(storage, S3Storage):
        parameters = {
            "ResponseContentDisposition": content_disposition(export.file_name),
            "ResponseContentType": export.content_type,
            "ResponseCacheControl": cache_control(expires_at),
        }
        seconds = max(1, int((expires_at - timezone.now()).total_seconds()))
        return storage.url(export.file_key, parameters=parameters, expire=seconds)
    token = signing.dumps({"id": str(export.id), "exp": int(expires_at.timestamp())}, salt=LINK_SALT, compress=True)
    return reverse("export-file", args=[token])


def file_link_read(token: str) -> tuple[str, datetime]:
    """The export id and expiry of a filesystem link; raises signing.BadSignature when forged."""
    data = signing.loads(token, salt=LINK_SALT)
    return data["id"], datetime.fromtimestamp(data["exp"], tz=UTC)
