"""Log lines: one JSON object per line (LOG_FORMAT=json) or a readable console line (default).

Every line carries the request or task context (request_id, task_id, job_id, user_id, customer_id)
and is scrubbed on the way out: values of secret-looking keys and secret-looking strings (bearer
tokens, JWTs, API keys, webhook secrets, passwords in query strings) become "[redacted]".
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from platform_core.observability.context import context_fields

REDACTED = "[redacted]"
# Keys whose values never leave the process (matched as substrings, lower case).
SECRET_KEYS = (
    "password", "passwd", "secret", "token", "authorization", "api_key", "apikey", "x-api-key", "cookie",
    "session", "csrf", "signature", "dsn", "private_key", "access_key", "credit_card", "webhook_body", "raw_body",
)  # fmt: skip
SECRET_PATTERNS = re.compile(
    r"(?i)"
    r"(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"  # Authorization: Bearer <...>
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # a JWT
    r"|\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}"  # provider keys (OpenAI, Anthropic sk-ant-...)
    r"|\bwhsec_[A-Za-z0-9+/=]{8,}"  # Standard Webhooks secrets
    r"|\bpat[A-Za-z0-9]{14}\.[A-Za-z0-9]{20,}"  # Airtable personal access tokens
    r"|((?:password|passwd|secret|token|api_key|apikey)[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]+"  # key=value in text
)
# LogRecord attributes that are not `extra` fields.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def _redact_match(match: re.Match[str]) -> str:
    prefix = match.group(1) or match.group(2) or ""
    return f"{prefix}{REDACTED}"


# Every match of SECRET_PATTERNS contains one of these (case aside): ASCII text without any of them is
# returned as it is, for a few substring tests instead of the regex at every position (most log lines).
_SECRET_MARKERS = (
    "bearer",
    "eyj",
    "sk-",
    "pk-",
    "rk-",
    "whsec_",
    "pat",
    "passw",
    "secret",
    "token",
    "api_key",
    "apikey",
)


def scrub_text(text: str) -> str:
    if text.isascii():  # non-ASCII letters can match the pattern's ASCII ones case-insensitively: full scan
        lowered = text.lower()
        for marker in _SECRET_MARKERS:
            if marker in lowered:
                break
        else:
            return text
    return SECRET_PATTERNS.sub(_redact_match, text)


@lru_cache(maxsize=4096)  # the same few dozen keys on every line; bounded for keys of logged payloads
def _secret_key(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in SECRET_KEYS)


_PLAIN = frozenset({bool, int, float, type(None)})  # nothing to redact: returned after one lookup


def scrub(value: Any, depth: int = 0) -> Any:
    """A copy of `value` with secret keys' values and secret-looking strings redacted."""
    if depth > 6:
        return REDACTED
    if type(value) in _PLAIN:
        return value
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: REDACTED if isinstance(k, str) and _secret_key(k) else scrub(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, depth + 1) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return scrub_text(str(value))  # e.g. a request object, whose repr holds the query string


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in record.__dict__.items() if key not in _RECORD_ATTRS and key[0] != "_"}


class JsonFormatter(logging.Formatter):
    """timestamp, level, logger, message, the context, `extra` fields, and the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub_text(record.getMessage()),
            **context_fields(),
        }
        for key, value in _extras(record).items():
            entry[key] = REDACTED if _secret_key(key) else scrub(value)
        if record.exc_info:
            entry["exception"] = scrub_text(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = scrub_text(record.stack_info)
        return json.dumps(entry, default=str, separators=(",", ":"))


class ConsoleFormatter(logging.Formatter):
    """`time level logger [request_id] message key=value ...` for humans (make run)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        fields = context_fields()
        line = super().format(record)
        prefix = f"[{fields['request_id']}] " if "request_id" in fields else ""
        if "task_id" in fields:
            prefix += f"[task {fields['task_id']}] "
        head, sep, rest = line.partition(f"{record.name} ")
        return scrub_text(f"{head}{sep}{prefix}{rest}")
