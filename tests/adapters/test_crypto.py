"""AesGcmSecretBox: AES-256-GCM with key ids, so keys rotate."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.exceptions import InvalidTag

from oauthhandler.adapters.crypto import AesGcmSecretBox, KeyError_, key_id, new_key_text, parse_key

SECRET = b'{"access_token": "ya29.secret", "refresh_token": "1//refresh"}'


def new_key() -> bytes:
    return parse_key(new_key_text())


def tampered(ciphertext: str, position: int) -> str:
    version, kid, body = ciphertext.split(".", 2)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[position] ^= 0x01
    return f"{version}.{kid}.{base64.urlsafe_b64encode(bytes(raw)).decode()}"


def test_round_trip() -> None:
    box = AesGcmSecretBox([new_key()])

    ciphertext = box.encrypt(SECRET)

    assert box.decrypt(ciphertext) == SECRET
    assert SECRET.decode() not in ciphertext
    assert b"ya29.secret" not in ciphertext.encode()


def test_round_trip_of_empty_and_binary_plaintexts() -> None:
    box = AesGcmSecretBox([new_key()])

    for plaintext in (b"", os.urandom(1000)):
        assert box.decrypt(box.encrypt(plaintext)) == plaintext


def test_the_ciphertext_names_its_key() -> None:
    key = new_key()

    version, kid, _ = AesGcmSecretBox([key]).encrypt(SECRET).split(".", 2)

    assert version == "v1"
    assert kid == key_id(key)


def test_two_encryptions_of_the_same_plaintext_differ() -> None:
    box = AesGcmSecretBox([new_key()])

    first, second = box.encrypt(SECRET), box.encrypt(SECRET)

    assert first != second
    nonce_of = lambda c: base64.urlsafe_b64decode(c.split(".", 2)[2])[:12]  # noqa: E731
    assert nonce_of(first) != nonce_of(second)
    assert box.decrypt(first) == box.decrypt(second) == SECRET


@pytest.mark.parametrize("position", [0, 11, 12, -1], ids=["nonce", "nonce-end", "ciphertext", "tag"])
def test_tampering_fails(position: int) -> None:
    box = AesGcmSecretBox([new_key()])

    with pytest.raises(InvalidTag):
        box.decrypt(tampered(box.encrypt(SECRET), position))


def test_a_ciphertext_moved_to_another_key_id_fails() -> None:
    old, new = new_key(), new_key()
    box = AesGcmSecretBox([new, old])
    _, _, body = box.encrypt(SECRET).split(".", 2)

    with pytest.raises(InvalidTag):  # the key id is authenticated data, and the other key cannot open it anyway
        box.decrypt(f"v1.{key_id(old)}.{body}")


def test_a_box_with_new_and_old_keys_reads_old_and_writes_new() -> None:
    old, new = new_key(), new_key()
    old_box = AesGcmSecretBox([old])
    rotated = AesGcmSecretBox([new, old])
    written_before = old_box.encrypt(SECRET)

    assert rotated.decrypt(written_before) == SECRET
    assert rotated.is_current(written_before) is False
    written_after = rotated.encrypt(SECRET)
    assert written_after.split(".")[1] == key_id(new)
    assert rotated.is_current(written_after) is True
    assert old_box.is_current(written_before) is True
    with pytest.raises(KeyError_):  # the old-only box cannot read what the new key wrote
        old_box.decrypt(written_after)


def test_a_box_without_the_old_key_refuses() -> None:
    old, new = new_key(), new_key()
    written = AesGcmSecretBox([old]).encrypt(SECRET)

    with pytest.raises(KeyError_, match=key_id(old)):
        AesGcmSecretBox([new]).decrypt(written)


def test_an_unknown_version_is_refused() -> None:
    box = AesGcmSecretBox([new_key()])

    with pytest.raises(KeyError_):
        box.decrypt("v2" + box.encrypt(SECRET)[2:])


def test_a_box_needs_a_key() -> None:
    with pytest.raises(KeyError_):
        AesGcmSecretBox([])


def test_parse_key_reads_url_safe_base64_with_or_without_padding() -> None:
    raw = os.urandom(32)
    text = base64.urlsafe_b64encode(raw).decode()

    assert parse_key(text) == raw
    assert parse_key(text.rstrip("=")) == raw
    assert parse_key(f"  {text}\n") == raw
    assert len(parse_key(new_key_text())) == 32


@pytest.mark.parametrize(
    "text",
    [
        base64.urlsafe_b64encode(b"k" * 16).decode(),
        base64.urlsafe_b64encode(b"k" * 31).decode(),
        base64.urlsafe_b64encode(b"k" * 33).decode(),
        base64.urlsafe_b64encode(b"k" * 64).decode(),
        "",
    ],
    ids=["16-bytes", "31-bytes", "33-bytes", "64-bytes", "empty"],
)
def test_parse_key_rejects_the_wrong_length(text: str) -> None:
    with pytest.raises(KeyError_, match="32 bytes"):
        parse_key(text)


@pytest.mark.parametrize("text", ["abcde", "é" * 44, "a"], ids=["bad-length-padding", "non-ascii", "one-char"])
def test_parse_key_rejects_bad_base64(text: str) -> None:
    with pytest.raises(KeyError_, match="base64"):
        parse_key(text)
