"""Repository contract: the same cases on the in-memory fake, SQLite and PostgreSQL, so the fake stays honest."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from oauthhandler.adapters.clock import SystemClock
from oauthhandler.adapters.crypto import AesGcmSecretBox
from oauthhandler.adapters.sql import tables as t
from oauthhandler.adapters.sql.database import SqlDatabase
from oauthhandler.adapters.sql.lease import SqlRefreshLease
from oauthhandler.adapters.sql.migrate import migrate
from oauthhandler.domain.model import (
    Account,
    ApiKey,
    AuthorizationAttempt,
    ClientCredentials,
    Connection,
    ConnectionConfigField,
    ConnectionStatus,
    EmailVerification,
    ProviderConfig,
    ProviderSpec,
    TokenSet,
)
from oauthhandler.ports.repositories import Database
from oauthhandler.ports.services import RefreshLock
from tests.support.databases import engine_for
from tests.support.fakes import InMemoryDatabase, InMemoryRefreshLock

NOW = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
BOX = AesGcmSecretBox([os.urandom(32)])


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "memory":
        yield InMemoryDatabase()
        return
    async with engine_for(request.param, tmp_path) as engine:
        await migrate(engine)
        yield SqlDatabase(engine, BOX)


async def _account(db: Database, n: int = 1, email: str | None = None) -> Account:
    account = Account(f"acc{n}", email or f"dev{n}@example.test", "hash", False, NOW)
    async with db.transaction() as uow:
        assert await uow.accounts.add(account)
        await uow.commit()
    return account


def _provider(account: Account, name: str = "custom", **kw: Any) -> ProviderConfig:
    spec = ProviderSpec(
        name=name,
        display_name=name,
        authorization_url="https://idp.test/a",
        token_url="https://idp.test/t",
        authorization_params={"prompt": "consent"},
        token_request_auth_method="client_secret_post",
        pkce=False,
        connection_config=(ConnectionConfigField("shop", "[a-z]+", "the shop"),),
        custom=True,
    )
    values: dict[str, Any] = dict(
        account_id=account.id,
        name=name,
        credentials=ClientCredentials("cid", "the-client-secret"),
        scopes=("read", "write"),
        redirect_url="https://app.test/done",
        created_at=NOW,
        updated_at=NOW,
        custom_spec=spec,
        api_key=None,
        api_secret=None,
    )
    return ProviderConfig(**(values | kw))


def _connection(account: Account, end_user: str = "u1", n: int = 1, **kw: Any) -> Connection:
    tokens = TokenSet(
        f"access-{n}", "Bearer", f"refresh-{n}", NOW + timedelta(hours=1), ("read",), {"extra": {"team": "x"}}
    )
    values: dict[str, Any] = dict(
        id=f"conn{n}",
        account_id=account.id,
        provider="custom",
        end_user_id=end_user,
        status=ConnectionStatus.ACTIVE,
        tokens=tokens,
        connection_config={"shop": "s"},
        created_at=NOW,
        updated_at=NOW,
    )
    return Connection(**(values | kw))


async def test_accounts(db: Database) -> None:
    account = await _account(db)
    async with db.transaction() as uow:
        assert not await uow.accounts.add(replace(account, id="other"))  # same email
        await uow.accounts.mark_verified(account.id)
        await uow.commit()
    async with db.read() as uow:
        assert await uow.accounts.get(account.id) == replace(account, email_verified=True)
        assert await uow.accounts.by_email(account.email) == replace(account, email_verified=True)
        assert await uow.accounts.get("nobody") is None


async def test_deleting_an_account_deletes_what_it_owns(db: Database) -> None:
    account = await _account(db)
    async with db.transaction() as uow:
        await uow.verifications.add(EmailVerification("v1", account.id, NOW + timedelta(hours=1)))
        await uow.accounts.delete(account.id)
        await uow.commit()
    async with db.transaction() as uow:
        assert await uow.accounts.get(account.id) is None
        assert await uow.verifications.consume("v1", NOW) is None
        assert await uow.accounts.add(account)  # the email is free again


async def test_uncommitted_transaction_is_rolled_back(db: Database) -> None:
    async with db.transaction() as uow:
        await uow.accounts.add(Account("gone", "gone@example.test", "h", False, NOW))
    async with db.read() as uow:
        assert await uow.accounts.get("gone") is None


async def test_api_keys(db: Database) -> None:
    mine, theirs = await _account(db, 1), await _account(db, 2)
    async with db.transaction() as uow:
        await uow.api_keys.add(ApiKey("k1", mine.id, "one", "hash1", NOW))
        await uow.api_keys.add(ApiKey("k2", mine.id, "two", "hash2", NOW + timedelta(seconds=1)))
        assert not await uow.api_keys.revoke(theirs.id, "k1", NOW)
        assert await uow.api_keys.revoke(mine.id, "k2", NOW)
        assert not await uow.api_keys.revoke(mine.id, "k2", NOW)
        await uow.commit()
    async with db.read() as uow:
        assert [k.id for k in await uow.api_keys.list(mine.id)] == ["k1"]
        assert (await uow.api_keys.account_for("hash1")) == mine
        assert await uow.api_keys.account_for("hash2") is None
        assert await uow.api_keys.list(theirs.id) == []


async def test_verification_is_consumed_once_and_not_after_expiry(db: Database) -> None:
    account = await _account(db)
    async with db.transaction() as uow:
        await uow.verifications.add(EmailVerification("v1", account.id, NOW + timedelta(hours=24)))
        await uow.verifications.add(EmailVerification("v2", account.id, NOW + timedelta(hours=24)))
        assert await uow.verifications.consume("v1", NOW) == account.id
        assert await uow.verifications.consume("v1", NOW) is None
        assert await uow.verifications.consume("v2", NOW + timedelta(hours=25)) is None
        assert await uow.verifications.consume("unknown", NOW) is None
        await uow.commit()


async def test_providers_round_trip_and_update_keeps_created_at(db: Database) -> None:
    account = await _account(db)
    config = _provider(account)
    async with db.transaction() as uow:
        await uow.providers.save(config)
        await uow.providers.save(_provider(account, "other", custom_spec=None, api_key="k", api_secret="s"))
        await uow.commit()
    later = NOW + timedelta(minutes=5)
    async with db.transaction() as uow:
        await uow.providers.save(replace(config, scopes=("x",), created_at=later, updated_at=later))
        await uow.commit()
    async with db.read() as uow:
        stored = await uow.providers.get(account.id, "custom")
        assert stored == replace(config, scopes=("x",), updated_at=later)
        assert [p.name for p in await uow.providers.list(account.id)] == ["custom", "other"]
    async with db.transaction() as uow:
        assert await uow.providers.delete(account.id, "custom")
        assert not await uow.providers.delete(account.id, "custom")
        await uow.commit()


async def test_connections_one_per_end_user(db: Database) -> None:
    account = await _account(db)
    first = _connection(account)
    async with db.transaction() as uow:
        await uow.connections.upsert(first)
        await uow.commit()
    again = _connection(account, n=2, id="conn-new", created_at=NOW + timedelta(hours=1))
    async with db.transaction() as uow:
        stored = await uow.connections.upsert(again)
        await uow.commit()
    assert (stored.id, stored.created_at, stored.tokens) == ("conn1", NOW, again.tokens)
    async with db.read() as uow:
        assert [c.end_user_id for c in await uow.connections.list(account.id, "custom")] == ["u1"]
        assert await uow.connections.by_id("conn1") == stored


def _lease(db: Database) -> RefreshLock:
    """The refresh lock that goes with each database: the SQL lease on its rows, or the fake's in-memory lock."""
    if isinstance(db, SqlDatabase):
        return SqlRefreshLease(db.engine, SystemClock())
    return InMemoryRefreshLock()


async def test_connection_tokens_status_and_deletes(db: Database) -> None:
    account = await _account(db)
    async with db.transaction() as uow:
        await uow.connections.upsert(_connection(account))
        await uow.connections.upsert(_connection(account, "u2", 2))
        await uow.commit()
    fresh = TokenSet("access-9", "Bearer", "refresh-9", None, ("read", "write"), {"ok": True}, NOW)
    later = NOW + timedelta(minutes=1)
    lock = _lease(db)
    async with lock.hold("conn1") as one_lease, lock.hold("conn2") as two_lease, db.transaction() as uow:
        assert await uow.connections.save_tokens("conn1", fresh, later, one_lease)
        assert await uow.connections.set_status("conn2", ConnectionStatus.NEEDS_REAUTHORIZATION, later, two_lease)
        await uow.commit()
    async with db.read() as uow:
        one = await uow.connections.get(account.id, "custom", "u1")
        two = await uow.connections.get(account.id, "custom", "u2")
    assert one is not None and two is not None
    assert (one.tokens, one.last_refreshed_at, one.updated_at) == (fresh, later, later)
    assert two.status == ConnectionStatus.NEEDS_REAUTHORIZATION
    async with db.transaction() as uow:
        await uow.connections.delete("conn1")
        await uow.connections.delete_for_provider(account.id, "custom")
        await uow.commit()
    async with db.read() as uow:
        assert await uow.connections.list(account.id, "custom") == []


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_a_refresh_that_lost_its_lease_does_not_overwrite_a_new_grant(kind: str, tmp_path: Path) -> None:
    async with engine_for(kind, tmp_path) as engine:
        await migrate(engine)
        db = SqlDatabase(engine, BOX)
        account = await _account(db)
        async with db.transaction() as uow:
            await uow.connections.upsert(_connection(account))
            await uow.commit()
        late = TokenSet("access-late", "Bearer", "refresh-late")
        async with SqlRefreshLease(engine, SystemClock()).hold("conn1") as lease:
            async with db.transaction() as uow:  # the end user connects again while a refresh is out
                await uow.connections.upsert(_connection(account, n=7))
                await uow.commit()
            async with db.transaction() as uow:
                assert not await uow.connections.save_tokens("conn1", late, NOW, lease)
                assert not await uow.connections.set_status("conn1", ConnectionStatus.NEEDS_REAUTHORIZATION, NOW, lease)
                assert not await uow.connections.save_tokens("conn1", late, NOW, "someone-else")
                await uow.commit()
        async with db.read() as uow:
            stored = await uow.connections.by_id("conn1")
        assert stored is not None and stored.tokens.access_token == "access-7"
        assert stored.status == ConnectionStatus.ACTIVE


async def test_attempt_link_and_state_are_single_use(db: Database) -> None:
    account = await _account(db)
    attempt = AuthorizationAttempt(
        "att1", account.id, "custom", "u1", "https://app.test/done", {"shop": "s"}, "link-hash", NOW
    )
    async with db.transaction() as uow:
        await uow.attempts.add(attempt)
        await uow.commit()
    started = replace(
        attempt, state_hash="state-hash", state_expires_at=NOW, code_verifier="verifier", browser_hash="b"
    )
    async with db.transaction() as uow:
        assert await uow.attempts.by_connect_token("link-hash") == attempt
        assert await uow.attempts.use_connect_link(started, NOW)
        assert not await uow.attempts.use_connect_link(started, NOW)
        assert await uow.attempts.by_connect_token("link-hash") is None
        await uow.commit()
    async with db.transaction() as uow:
        assert await uow.attempts.by_state("state-hash") == started
        assert await uow.attempts.consume_state("att1", NOW)
        assert not await uow.attempts.consume_state("att1", NOW)
        assert await uow.attempts.by_state("state-hash") is None
        await uow.commit()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_secrets_are_ciphertext_in_the_rows(kind: str, tmp_path: Path) -> None:
    async with engine_for(kind, tmp_path) as engine:
        await migrate(engine)
        db = SqlDatabase(engine, BOX)
        account = await _account(db)
        async with db.transaction() as uow:
            await uow.providers.save(_provider(account))
            await uow.connections.upsert(_connection(account))
            await uow.commit()
        async with engine.connect() as conn:
            rows = [r for table in (t.providers, t.connections) for r in (await conn.execute(sa.select(table))).all()]
        dumped = repr(rows)
        for secret in ("the-client-secret", "access-1", "refresh-1"):
            assert secret not in dumped
        assert "v1." in dumped


async def test_connection_for_key_is_one_read_of_key_account_and_connection(db: Database) -> None:
    mine, theirs = await _account(db, 1), await _account(db, 2)
    async with db.transaction() as uow:
        await uow.api_keys.add(ApiKey("k1", mine.id, "mine", "hash-mine", NOW))
        await uow.api_keys.add(ApiKey("k2", theirs.id, "theirs", "hash-theirs", NOW))
        await uow.api_keys.add(ApiKey("k3", mine.id, "old", "hash-revoked", NOW))
        await uow.api_keys.revoke(mine.id, "k3", NOW)
        await uow.accounts.mark_verified(mine.id)
        stored = await uow.connections.upsert(_connection(mine))
        await uow.commit()
    assert await db.connection_for_key("hash-unknown", "custom", "u1") is None
    assert await db.connection_for_key("hash-revoked", "custom", "u1") is None
    found = await db.connection_for_key("hash-mine", "custom", "u1")
    assert found is not None and found.email_verified and found.connection == stored
    missing = await db.connection_for_key("hash-mine", "custom", "nobody")
    assert missing is not None and missing.connection is None
    other = await db.connection_for_key("hash-theirs", "custom", "u1")  # another account's end user: not found
    assert other is not None and not other.email_verified and other.connection is None


async def test_direct_sqlite_read_falls_back_when_the_file_is_locked(tmp_path: Path) -> None:
    async with engine_for("sqlite", tmp_path) as engine:
        await migrate(engine)
        db = SqlDatabase(engine, BOX)
        account = await _account(db)
        async with db.transaction() as uow:
            await uow.api_keys.add(ApiKey("k1", account.id, "k", "hash", NOW))
            await uow.commit()
        await engine.dispose()  # no pooled connection may hold the file while the locker takes it whole
        locker = sqlite3.connect(str(tmp_path / "test.db"), isolation_level=None)
        locker.execute("PRAGMA locking_mode=EXCLUSIVE")
        locker.execute("BEGIN EXCLUSIVE")  # in WAL mode only this keeps a reader out
        with pytest.raises(sqlite3.OperationalError):
            db._direct.read("hash", "custom", "u1")  # type: ignore[union-attr]
        waiting = asyncio.create_task(db.connection_for_key("hash", "custom", "u1"))
        await asyncio.sleep(0.3)
        assert not waiting.done()  # the async road waits its turn instead of failing
        locker.execute("COMMIT")
        locker.close()
        found = await asyncio.wait_for(waiting, 10)
        assert found is not None and found.connection is None
        db.close()


async def test_purge_forgets_only_attempts_whose_link_expired_before_the_cutoff(db: Database) -> None:
    account = await _account(db)
    async with db.transaction() as uow:
        for n, expires in enumerate((NOW - timedelta(hours=2), NOW + timedelta(minutes=5))):
            await uow.attempts.add(
                AuthorizationAttempt(f"att{n}", account.id, "custom", "u1", None, {}, f"link{n}", expires)
            )
        await uow.attempts.purge(NOW - timedelta(hours=1))
        await uow.commit()
    async with db.read() as uow:
        assert await uow.attempts.by_connect_token("link0") is None
        assert await uow.attempts.by_connect_token("link1") is not None
