"""What the SQL repositories share: one AsyncConnection, the row codec, and a portable upsert."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from oauthhandler.adapters.sql.codec import RowCodec


def upsert(conn: AsyncConnection, table: sa.Table, values: dict[str, Any], keys: list[str], update: list[str]) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE, in the dialect of the connection (SQLite and PostgreSQL share the form)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values)
    return statement.on_conflict_do_update(index_elements=keys, set_={k: statement.excluded[k] for k in update})


class SqlRepository:
    """A repository works on the unit of work's connection and seals secrets with its codec."""

    def __init__(self, conn: AsyncConnection, codec: RowCodec) -> None:
        self.conn, self.codec = conn, codec
