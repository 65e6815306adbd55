"""The secret key and encryption keys: as configured, or generated once into the data folder (with a warning)."""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from oauthhandler.adapters.crypto import new_key_text, parse_key

log = logging.getLogger("oauthhandler")


@dataclass(frozen=True)
class Keys:
    secret_key: str
    encryption_keys: list[bytes]


def _generated(path: Path, value: str, what: str) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # created 0600
        with os.fdopen(fd, "w") as handle:
            handle.write(value + "\n")
        try:
            os.link(temp, path)  # atomic, and fails if another worker was first: then its value wins
            log.warning("generated %s into %s: back it up, or set it in the environment", what, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temp)
    return path.read_text().strip()


def load_keys(data_dir: Path, secret_key: str | None, encryption_keys: str | None) -> Keys:
    """Keys as configured; whatever is not configured is generated once into the data folder."""
    secret = secret_key or _generated(data_dir / "secret_key", secrets.token_urlsafe(48), "OAUTHHANDLER_SECRET_KEY")
    text = encryption_keys or _generated(data_dir / "encryption_keys", new_key_text(), "OAUTHHANDLER_ENCRYPTION_KEYS")
    return Keys(secret, [parse_key(k) for k in text.split(",") if k.strip()])
