"""Screenshot files in the default storage (disk or S3) and the signed, expiring links that deliver them.

Like exports (exports/storage.py), without importing it: S3 gets a presigned GET; the filesystem a
Django-signed token served by ScreenshotFileView.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.urls import reverse
from django.utils import timezone
from storages.backends.s3 import S3Storage

LINK_SALT = "research.screenshot-link"


def research_storage() -> Storage:
    return storages["default"]


def png_store(*, key: str, data: bytes) -> None:
    storage = research_storage()
    storage.delete(key)
    stored = storage.save(key, ContentFile(data, name=key))
    if stored != key:
        storage.delete(stored)
        raise RuntimeError(f"storage saved {key!r} as {stored!r}")


def file_link(*, key: str, file_name: str, ttl_seconds: int | None = None) -> tuple[str, datetime]:
    """A link that works without a login until it expires; absolute for S3, site-relative otherwise."""
    seconds = ttl_seconds or settings.RESEARCH_SCREENSHOT_LINK_TTL_SECONDS
    expires_at = timezone.now() + timedelta(seconds=seconds)
    storage = research_storage()
    if isinstance(storage, S3Storage):
        parameters = {
            "ResponseContentDisposition": f'inline; filename="{file_name}"', "ResponseContentType": "image/png",
        }  # fmt: skip
        return storage.url(key, parameters=parameters, expire=seconds), expires_at
    token = signing.dumps({"key": key, "exp": int(expires_at.timestamp())}, salt=LINK_SALT, compress=True)
    return reverse("research-file", args=[token]), expires_at


def file_link_read(token: str) -> tuple[str, datetime]:
    """The storage key and expiry of a filesystem link; raises signing.BadSignature when forged."""
    data = signing.loads(token, salt=LINK_SALT)
    return data["key"], datetime.fromtimestamp(data["exp"], tz=UTC)
