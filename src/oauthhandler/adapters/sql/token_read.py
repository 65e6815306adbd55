"""The token hot path: a live API key, its account and one connection in a single indexed read.

On every database it is one joined query (api_keys.key_hash and connections' unique key are both indexed).
On SQLite it goes further and reads through the standard library's sqlite3 on the event loop itself: measured
here, each trip to aiosqlite's worker thread costs more than the whole query (bench/README.md). In WAL mode
a reader never waits for a writer, and a short busy timeout bounds the rare wait for a checkpoint; if it runs
out, the read is retried through the async engine.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from oauthhandler.adapters.sql import tables as t
from oauthhandler.adapters.sql.codec import RowCodec
from oauthhandler.domain.model import KeyedConnection

_CONNECTION_COLUMNS = (
    "id",
    "account_id",
    "provider",
    "end_user_id",
    "status",
    "tokens_enc",
    "connection_config",
    "created_at",
    "updated_at",
    "last_refreshed_at",
)
_k, _a, _c = t.api_keys.c, t.accounts.c, t.connections.c
STATEMENT = (
    sa.select(_a.email_verified, *(_c[name] for name in _CONNECTION_COLUMNS))
    .select_from(
        t.api_keys.join(t.accounts, _a.id == _k.account_id).outerjoin(
            t.connections,
            sa.and_(
                _c.account_id == _k.account_id,
                _c.provider == sa.bindparam("provider"),
                _c.end_user_id == sa.bindparam("end_user_id"),
            ),
        )
    )
    .where(_k.key_hash == sa.bindparam("key_hash"), _k.revoked_at.is_(None))
)
_SQLITE = str(STATEMENT.compile(dialect=sqlite_dialect.dialect(paramstyle="named")))


def _keyed(row: Any, codec: RowCodec) -> KeyedConnection:
    return KeyedConnection(bool(row.email_verified), codec.connection(row) if row.id is not None else None)


async def read_with_engine(
    engine: AsyncEngine, options: dict[str, Any], codec: RowCodec, key_hash: str, provider: str, end_user_id: str
) -> KeyedConnection | None:
    async with engine.connect() as conn:
        await conn.execution_options(**options)
        row = (
            await conn.execute(STATEMENT, {"key_hash": key_hash, "provider": provider, "end_user_id": end_user_id})
        ).first()
    return _keyed(row, codec) if row else None


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


class SqliteDirectTokenReader:
    """One sqlite3 connection per process, read-only, used only between two awaits."""

    def __init__(self, path: str, codec: RowCodec) -> None:
        self._path, self._codec = path, codec
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=50")
            conn.execute("PRAGMA query_only=1")
            conn.row_factory = sqlite3.Row
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def read(self, key_hash: str, provider: str, end_user_id: str) -> KeyedConnection | None:
        """Raises sqlite3.OperationalError when the file is busy past the short timeout."""
        params = {"key_hash": key_hash, "provider": provider, "end_user_id": end_user_id}
        row = self._connection().execute(_SQLITE, params).fetchone()
        if row is None:
            return None
        values = dict(zip(row.keys(), tuple(row), strict=True))
        for name in ("created_at", "updated_at", "last_refreshed_at"):
            values[name] = _time(values[name])
        if values["id"] is not None:
            values["connection_config"] = msgspec.json.decode(values["connection_config"])
        return _keyed(SimpleNamespace(**values), self._codec)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
