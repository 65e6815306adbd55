"""AES-256-GCM secret box with key ids, so keys rotate: the first key encrypts, all keys decrypt."""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = "v1"


class KeyError_(ValueError):
    """An encryption key is malformed, or a ciphertext names a key we do not have."""


def parse_key(text: str) -> bytes:
    """A key as configured: the URL-safe base64 of 32 random bytes."""
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError as exc:
        raise KeyError_("an encryption key is not valid URL-safe base64") from exc
    if len(raw) != 32:
        raise KeyError_("an encryption key must decode to exactly 32 bytes")
    return raw


def new_key_text() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def key_id(key: bytes) -> str:
    """A short public name for a key: not secret, only tells keys apart."""
    return hashlib.sha256(b"oauthhandler-key-id" + key).hexdigest()[:12]


class AesGcmSecretBox:
    """Ciphertext format: v1.<key id>.<base64(nonce || ciphertext+tag)>; a fresh 96-bit nonce per message."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise KeyError_("at least one encryption key is needed")
        self._primary_id = key_id(keys[0])
        self._ciphers = {key_id(k): AESGCM(k) for k in keys}
        self._primary = self._ciphers[self._primary_id]

    def encrypt(self, plaintext: bytes) -> str:
        nonce = os.urandom(12)
        sealed = self._primary.encrypt(nonce, plaintext, self._primary_id.encode())
        return f"{_VERSION}.{self._primary_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, ciphertext: str) -> bytes:
        version, kid, body = ciphertext.split(".", 2)
        if version != _VERSION or kid not in self._ciphers:
            raise KeyError_(f"no encryption key with id {kid} is configured")
        raw = base64.urlsafe_b64decode(body)
        return self._ciphers[kid].decrypt(raw[:12], raw[12:], kid.encode())

    def key_ids(self) -> set[str]:
        return set(self._ciphers)

    def is_current(self, ciphertext: str) -> bool:
        return ciphertext.split(".", 2)[1] == self._primary_id
