"""Random tokens and their digests: what is stored is only ever the SHA-256 of a bearer secret."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token; 32 bytes = 256 bits."""
    return secrets.token_urlsafe(nbytes)


def new_id() -> str:
    return uuid.uuid4().hex


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def matches(token: str, expected_digest: str) -> bool:
    """Constant-time check of a presented token against a stored digest."""
    return hmac.compare_digest(digest(token), expected_digest)
