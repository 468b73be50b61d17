"""The personal access token at rest: Fernet (AES-128-CBC + HMAC-SHA256) with a key from the
environment (AIRTABLE_ENCRYPTION_KEY, else derived from DJANGO_SECRET_KEY). Rotating the key
means re-entering the tokens."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from platform_core.exceptions import ApplicationError


def _fernet() -> Fernet:
    secret = settings.AIRTABLE_ENCRYPTION_KEY or settings.SECRET_KEY
    key = base64.urlsafe_b64encode(hashlib.sha256(b"airtable-token:" + secret.encode()).digest())
    return Fernet(key)


def token_encrypt(token: str) -> str:
    return _fernet().encrypt(token.encode()).decode()


def token_decrypt(encrypted: str) -> str:
    try:
        return _fernet().decrypt(encrypted.encode()).decode()
    except InvalidToken as exc:
        raise ApplicationError(
            "The stored Airtable token cannot be read (the encryption key changed); enter it again.",
            code="airtable_unauthorized",
            status_code=400,
        ) from exc


def token_fingerprint(token: str) -> str:
    """Names the token in Redis keys (per-token limit) without revealing it."""
    return hashlib.sha256(b"airtable-fp:" + token.encode()).hexdigest()[:16]
