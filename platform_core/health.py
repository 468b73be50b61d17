"""Liveness (/healthz: the process answers) and readiness (/readyz: its dependencies answer)."""

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from kombu import Connection


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    # Raises when Redis is unreachable (django-redis does not swallow errors); not a read, so probes
    # do not count as cache misses.
    cache.has_key("readyz")


def check_broker() -> None:
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        conn.default_channel.client.ping()  # type: ignore[attr-defined]


def check_storage() -> None:
    """Write and delete a small object: a full disk, a read-only mount or a bucket refusing writes fails."""
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}", ContentFile(b"ready"))
    default_storage.delete(name)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "redis": check_cache,
    "broker": check_broker,
    "storage": check_storage,
}


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure means "not ready"; the name and class say which
            results[name] = f"failed: {exc.__class__.__name__}"
    failed = [name for name, result in results.items() if result != "ok"]
    if failed:
        body = {
            "status": "unavailable",
            "checks": results,
            "error": {"code": "not_ready", "message": f"Not ready: {', '.join(failed)}", "details": {"failed": failed}},
        }
        return JsonResponse(body, status=503)
    return JsonResponse({"status": "ok", "checks": results})
