"""Engines and units of work. SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE for writes; reads take no lock."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection as SyncConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from oauthhandler.adapters.sql.account_repositories import (
    SqlAccountRepository,
    SqlApiKeyRepository,
    SqlVerificationRepository,
)
from oauthhandler.adapters.sql.codec import RowCodec
from oauthhandler.adapters.sql.oauth_repositories import (
    SqlAttemptRepository,
    SqlConnectionRepository,
    SqlProviderRepository,
)
from oauthhandler.adapters.sql.token_read import SqliteDirectTokenReader, read_with_engine
from oauthhandler.domain.model import KeyedConnection
from oauthhandler.ports.services import SecretBox

_READ_ONLY = "oauthhandler_read_only"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; on SQLite, set up for many processes sharing one file."""
    if url.startswith("sqlite"):
        # Reads run in autocommit and writes roll back themselves: no reset round trip per checkout.
        kwargs.setdefault("pool_reset_on_return", None)
    # hide_parameters: a database error's message must not carry the values it was given (hashes, ciphertext).
    engine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"), hide_parameters=True, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (below), so the driver must not: https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#pysqlite-serializable
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: SyncConnection) -> None:
        # A write takes the lock up front, so two writers queue on busy_timeout instead of failing
        # with "database is locked" when a read lock cannot be upgraded. Reads run in autocommit.
        if not conn.get_execution_options().get(_READ_ONLY):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


class SqlUnitOfWork:
    def __init__(self, conn: AsyncConnection, codec: RowCodec) -> None:
        self._conn = conn
        self.accounts = SqlAccountRepository(conn, codec)
        self.api_keys = SqlApiKeyRepository(conn, codec)
        self.verifications = SqlVerificationRepository(conn, codec)
        self.providers = SqlProviderRepository(conn, codec)
        self.connections = SqlConnectionRepository(conn, codec)
        self.attempts = SqlAttemptRepository(conn, codec)

    async def commit(self) -> None:
        await self._conn.commit()


class SqlDatabase:
    def __init__(self, engine: AsyncEngine, box: SecretBox) -> None:
        self.engine = engine
        self._codec = RowCodec(box)
        pg = engine.dialect.name == "postgresql"
        self._read_options: dict[str, Any] = {"isolation_level": "AUTOCOMMIT"} if pg else {_READ_ONLY: True}
        path = engine.url.database if engine.dialect.name == "sqlite" else None
        self._direct = SqliteDirectTokenReader(path, self._codec) if path and path != ":memory:" else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.engine.connect() as conn:
            await conn.begin()
            try:
                yield SqlUnitOfWork(conn, self._codec)
            finally:
                if conn.in_transaction():
                    await conn.rollback()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.engine.connect() as conn:
            await conn.execution_options(**self._read_options)
            yield SqlUnitOfWork(conn, self._codec)

    async def connection_for_key(self, key_hash: str, provider: str, end_user_id: str) -> KeyedConnection | None:
        if self._direct is not None:
            try:
                return self._direct.read(key_hash, provider, end_user_id)
            except sqlite3.OperationalError:
                pass  # busy past the short timeout: take the async road, which waits its turn
        return await read_with_engine(self.engine, self._read_options, self._codec, key_hash, provider, end_user_id)

    def close(self) -> None:
        if self._direct is not None:
            self._direct.close()

    async def ping(self) -> bool:
        try:
            async with self.read() as uow:
                await uow._conn.exec_driver_sql("SELECT 1")
        except Exception:
            return False
        return True
