import json
import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook

import tests.integrations.webhooks.handlers  # noqa: F401 - the "qa" source in this process

# Read by the real worker at startup (tests/support/worker.py passes the environment on): it
# registers the "qa" source there too, and keeps processing retries few and short.
os.environ.setdefault("WEBHOOK_HANDLER_MODULES", "tests.integrations.webhooks.handlers")
os.environ.setdefault("WEBHOOK_PROCESS_MAX_ATTEMPTS", "3")
os.environ.setdefault("WEBHOOK_PROCESS_RETRY_SECONDS", "0.3")

QA_SECRETS = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]
MAKE_SECRET = "whsec_plJ3nmyCDGBKInavdOK15jsl"


@pytest.fixture(autouse=True)
def _inbound_secrets(settings):
    settings.INBOUND_WEBHOOK_SECRETS = {"qa": QA_SECRETS, "make": [MAKE_SECRET]}


def sign(secret: str, body: bytes, *, msg_id: str | None = None, at: datetime | None = None) -> dict[str, str]:
    """The headers a Standard Webhooks sender puts on `body`."""
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    at = at or datetime.now(tz=UTC)
    signature = Webhook(secret).sign(msg_id=msg_id, timestamp=at, data=body.decode())
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())), "webhook-signature": signature}


def qa_body(key: str, event_type: str = "effect.record") -> bytes:
    return json.dumps({"type": event_type, "timestamp": "2026-11-26T10:00:00Z", "data": {"key": key}}).encode()


def post_webhook(client, source: str, body: bytes, headers: dict[str, str]):
    return client.post(f"/api/v1/webhooks/{source}/", data=body, content_type="application/json", headers=headers)


STALE = timedelta(minutes=6)
