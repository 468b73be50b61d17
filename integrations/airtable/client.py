"""The pyairtable client every sync uses: each request through the shared limiter, 429 pauses the
base for everyone, 5xx and timeouts back off with jitter, other errors become platform codes."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from django.conf import settings
from pyairtable import Api

from integrations.airtable import limiter, metrics
from integrations.airtable.crypto import token_fingerprint
from platform_core.exceptions import ApplicationError
from platform_core.taskbase import RetryableError, backoff_delay


class AirtableUnauthorized(ApplicationError):
    def __init__(self, message: str = "Airtable refused the access token.") -> None:
        super().__init__(message, code="airtable_unauthorized", status_code=400)


class AirtableSchemaMismatch(ApplicationError):
    def __init__(self, message: str, *, table: str, field: str | None = None) -> None:
        details = {"table": table, **({"field": field} if field else {})}
        super().__init__(message, code="airtable_schema_mismatch", status_code=422, details=details)


class AirtableRejected(Exception):
    """A 422: Airtable refused the request's records (a value, an unknown field ...)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type, self.message = error_type, message


@dataclass
class RequestStats:
    requests: int = 0
    rate_limited: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, *, requests: int = 0, rate_limited: int = 0) -> None:
        with self.lock:  # batches are sent from several threads
            self.requests += requests
            self.rate_limited += rate_limited


def _error_of(response: requests.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "UNKNOWN", response.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("type", "UNKNOWN")), str(error.get("message", ""))[:500]
    if isinstance(error, str):
        return error, str(body.get("message", ""))[:500]
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("error", "UNKNOWN")), str(errors[0].get("message", ""))[:500]
    return "UNKNOWN", ""


class AirtableClient(Api):
    """pyairtable's Api with its own retries off: every attempt goes through `request` below."""

    def __init__(self, token: str, *, base_id: str, stats: RequestStats | None = None) -> None:
        super().__init__(
            token,
            timeout=(5, settings.AIRTABLE_REQUEST_TIMEOUT_SECONDS),
            retry_strategy=None,
            endpoint_url=settings.AIRTABLE_API_URL,
        )
        self.base_id = base_id
        self.token_fp = token_fingerprint(token)
        self.stats = stats or RequestStats()

    def __repr__(self) -> str:  # pyairtable's repr is safe, but never risk the token in a log line
        return f"<AirtableClient base={self.base_id}>"

    def request(
        self,
        method: str,
        url: str,
        fallback: tuple[str, str] | None = None,
        options: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> Any:
        failures = 0
        while True:
            slot = limiter.acquire(base_id=self.base_id, token_fp=self.token_fp)
            self.stats.add(requests=1)
            try:
                result = super().request(method, url, fallback=fallback, options=options, params=params, json=json)
            except requests.HTTPError as exc:
                limiter.release(slot)
                response = exc.response
                status = response.status_code if response is not None else 0
                if status == 429:
                    metrics.requests_total.labels(outcome="rate_limited").inc()
                    metrics.rate_limited_total.inc()
                    self.stats.add(rate_limited=1)
                    limiter.base_pause(base_id=self.base_id, seconds=settings.AIRTABLE_RATE_LIMIT_PAUSE_SECONDS)
                    continue  # everyone waits out the pause in acquire(), then this retries
                if status >= 500:
                    failures = self._back_off(failures, "server_error", f"Airtable answered {status}.")
                    continue
                error_type, message = _error_of(response) if response is not None else ("UNKNOWN", "")
                if status in (401, 403):
                    metrics.requests_total.labels(outcome="unauthorized").inc()
                    raise AirtableUnauthorized(
                        "Airtable refused the access token for this base"
                        + (f" ({error_type})." if error_type != "UNKNOWN" else ".")
                    ) from None
                if status == 404:
                    metrics.requests_total.labels(outcome="not_found").inc()
                    raise AirtableSchemaMismatch(
                        f"Airtable has no such base or table ({error_type}).", table=""
                    ) from None
                metrics.requests_total.labels(outcome="rejected").inc()
                raise AirtableRejected(error_type, message) from None
            except (requests.Timeout, requests.ConnectionError):
                limiter.release(slot)
                failures = self._back_off(failures, "timeout", "Airtable did not answer in time.")
                continue
            limiter.release(slot)
            metrics.requests_total.labels(outcome="ok").inc()
            return result

    def _back_off(self, failures: int, outcome: str, message: str) -> int:
        metrics.requests_total.labels(outcome=outcome).inc()
        failures += 1
        if failures >= settings.AIRTABLE_MAX_ATTEMPTS:
            raise RetryableError(f"{message} Retrying the sync later.", code="airtable_unavailable")
        time.sleep(backoff_delay(failures, base=settings.AIRTABLE_RETRY_BASE_SECONDS, cap=30.0))
        return failures

    def base_tables(self) -> dict[str, set[str]]:
        """{table name: its field names}, from the base's schema (one request)."""
        body = self.get(self.build_url("meta/bases", self.base_id, "tables"))
        return {t["name"]: {f["name"] for f in t.get("fields", [])} for t in body.get("tables", [])}
