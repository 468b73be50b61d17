"""Standard Webhooks signatures (https://www.standardwebhooks.com) with the spec's own package."""

import binascii
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from platform_core.exceptions import ApplicationError

SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


@lru_cache(maxsize=256)
def _webhook(secret: str) -> Webhook:
    return Webhook(secret)


def _unauthorized(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, status_code=401)


def webhook_signature_verify(*, secrets: Iterable[str], body: bytes, headers: Mapping[str, str]) -> None:
    """Accept the request when any active secret (rotation) signed it within ±5 minutes; else 401."""
    missing = [name for name in SIGNATURE_HEADERS if not headers.get(name)]
    if missing:
        raise ApplicationError(
            "The request lacks the Standard Webhooks signature headers.", code="missing_signature_headers",
            status_code=401, details={"missing": missing},
        )  # fmt: skip
    try:
        text = body.decode()
    except UnicodeDecodeError as exc:
        raise _unauthorized("The body is not UTF-8, so it cannot match a signature.", "invalid_signature") from exc
    signed = {name: headers[name] for name in SIGNATURE_HEADERS}
    for secret in secrets:
        try:
            _webhook(secret).verify(text, signed, json_parse=False)
            return
        except WebhookVerificationError as exc:
            reason = str(exc)
            if "too old" in reason or "too new" in reason:
                raise _unauthorized("webhook-timestamp is more than 5 minutes away.", "stale_timestamp") from exc
            if reason == "Invalid Signature Headers":
                raise _unauthorized("webhook-timestamp is not a Unix time.", "invalid_timestamp") from exc
        except (ValueError, binascii.Error):  # a malformed "v1,<base64>" entry
            break
    raise _unauthorized("No webhook-signature matches the body with an active secret.", "invalid_signature")


def webhook_signature_headers(*, secret: str, message_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    """The three headers a Standard Webhooks receiver verifies."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": _webhook(secret).sign(msg_id=message_id, timestamp=timestamp, data=body),
    }
