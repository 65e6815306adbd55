"""rotate-keys on the SQL adapter: every secret moves to the first key, a second run finds nothing to do."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy.ext.asyncio import AsyncEngine

from oauthhandler.adapters.crypto import AesGcmSecretBox, KeyError_
from oauthhandler.adapters.sql.database import SqlDatabase
from oauthhandler.adapters.sql.rotation import rotate_keys
from oauthhandler.domain.model import Account, ClientCredentials, Connection, ConnectionStatus, ProviderConfig, TokenSet

NOW = datetime(2026, 1, 1, tzinfo=UTC)


async def _fill(db: SqlDatabase) -> None:
    async with db.transaction() as uow:
        await uow.accounts.add(Account("a1", "a@x.test", "h", True, NOW))
        await uow.providers.save(
            ProviderConfig("a1", "p", ClientCredentials("id", "client-secret"), (), None, NOW, NOW, None, "k", "s")
        )
        tokens = TokenSet("access", "bearer", "refresh", NOW + timedelta(hours=1))
        await uow.connections.upsert(Connection("c1", "a1", "p", "u", ConnectionStatus.ACTIVE, tokens, {}, NOW, NOW))
        await uow.commit()


async def test_rotation_re_encrypts_everything_once(engine: AsyncEngine) -> None:
    old, new = os.urandom(32), os.urandom(32)
    await _fill(SqlDatabase(engine, AesGcmSecretBox([old])))
    both = AesGcmSecretBox([new, old])
    assert await rotate_keys(engine, both) == 4  # client secret, api key, api secret, tokens
    assert await rotate_keys(engine, both) == 0
    async with SqlDatabase(engine, AesGcmSecretBox([new])).read() as uow:
        config = await uow.providers.get("a1", "p")
        connection = await uow.connections.by_id("c1")
    assert config is not None and config.credentials.client_secret == "client-secret"
    assert connection is not None and connection.tokens.refresh_token == "refresh"
    with pytest.raises((KeyError_, InvalidTag)):
        async with SqlDatabase(engine, AesGcmSecretBox([old])).read() as uow:
            await uow.connections.by_id("c1")
