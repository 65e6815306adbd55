"""Secrets at rest: the database file holds no plaintext secret; keys rotate without losing a row."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from tests.support.authserver import LoopbackAuthServer
from tests.support.developer import Developer, sign_up
from tests.support.service import ServiceProcess
from tests.support.smtp import LoopbackSmtpServer


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _database_bytes(data_dir: Path) -> bytes:
    """The SQLite file and its write-ahead log: what is on disk, committed or not yet checkpointed."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.glob("oauthhandler.db*")))


def _connected(dev: Developer, auth: LoopbackAuthServer) -> tuple[str, dict[str, str]]:
    provider = dev.enable_loopback(auth)
    assert dev.connect(auth, provider, "at-rest").status_code == 303
    token = dev.token(provider, "at-rest").json()
    granted = auth.token_requests("authorization_code")[-1]
    secrets = {
        "client secret": auth.clients[dev.clients[provider]].client_secret,
        "access token": token["access_token"],
        "refresh token": auth.by_access[token["access_token"]].refresh_token,
        "api key": dev.key,
        "password": dev.password,
        "code": granted["body"].split("code=")[1].split("&")[0],
    }
    return provider, secrets


@pytest.fixture
def keyed_service(tmp_path: Path, smtp: LoopbackSmtpServer):  # type: ignore[no-untyped-def]
    old = _key()
    proc = ServiceProcess(tmp_path / "data", encryption_keys=old, smtp_host="127.0.0.1", smtp_port=str(smtp.port))
    yield proc.start(), old
    proc.stop()


def test_database_file_holds_no_plaintext_secret(keyed_service, smtp: LoopbackSmtpServer, auth) -> None:  # type: ignore[no-untyped-def]
    proc, _ = keyed_service
    dev = sign_up(proc, smtp)
    _, secrets = _connected(dev, auth)
    on_disk = _database_bytes(proc.data_dir)
    assert dev.email.encode() in on_disk  # the file is the right one: non-secret data is there
    for what, value in secrets.items():
        assert value.encode() not in on_disk, f"the {what} is stored in plaintext"


def test_rotated_keys_still_decrypt_old_rows(keyed_service, smtp: LoopbackSmtpServer, auth) -> None:  # type: ignore[no-untyped-def]
    proc, old = keyed_service
    dev = sign_up(proc, smtp)
    provider, secrets = _connected(dev, auth)
    proc.stop()

    new = _key()
    proc.settings["encryption_keys"] = f"{new},{old}"
    proc.start()  # the new key encrypts, the old one still decrypts what is there
    same = dev.token(provider, "at-rest")
    assert same.status_code == 200, same.text
    assert same.json()["access_token"] == secrets["access token"]
    proc.stop()

    first = proc.cli("rotate-keys")
    assert first.returncode == 0, first.stderr
    # the client secret, the connection's tokens and the flow's PKCE verifier
    assert "re-encrypted 3 secret(s)" in first.stdout
    second = proc.cli("rotate-keys")
    assert second.returncode == 0, second.stderr
    assert "re-encrypted 0 secret(s)" in second.stdout

    proc.settings["encryption_keys"] = new  # the old key is gone for good
    proc.start()
    after = dev.token(provider, "at-rest", force_refresh="true")
    assert after.status_code == 200, after.text
    assert after.json()["refreshed"] is True


def test_rotate_keys_without_the_old_key_refuses_and_changes_nothing(keyed_service, smtp, auth) -> None:  # type: ignore[no-untyped-def]
    proc, _ = keyed_service
    dev = sign_up(proc, smtp)
    _connected(dev, auth)
    proc.stop()
    before = _database_bytes(proc.data_dir)
    proc.settings["encryption_keys"] = _key()
    result = proc.cli("rotate-keys")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "no encryption key with id" in result.stderr
    assert _database_bytes(proc.data_dir) == before


def test_serve_refuses_to_start_when_a_needed_key_is_missing(keyed_service, smtp, auth) -> None:  # type: ignore[no-untyped-def]
    proc, _ = keyed_service
    dev = sign_up(proc, smtp)
    _connected(dev, auth)
    proc.stop()
    proc.settings["encryption_keys"] = _key()  # the old key forgotten, not rotated away
    result = proc.cli("serve", "--port", str(proc.port))
    assert result.returncode != 0
    assert "OAUTHHANDLER_ENCRYPTION_KEYS does not hold" in result.stderr
    assert "Traceback" not in result.stderr
