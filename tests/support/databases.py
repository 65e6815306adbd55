"""Real databases for adapter tests: a SQLite file, and the machine's PostgreSQL in a schema of its own."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from oauthhandler.adapters.sql.database import create_engine

POSTGRES_DSN = os.environ.get("OAUTHHANDLER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
POSTGRES_URL = POSTGRES_DSN.replace("postgresql://", "postgresql+asyncpg://", 1)


async def _postgres_answers() -> bool:
    try:
        conn = await asyncpg.connect(POSTGRES_DSN, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


@asynccontextmanager
async def engine_for(kind: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A fresh, empty database of the kind: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/test.db")
        yield engine
        await engine.dispose()
        return
    if not await _postgres_answers():
        pytest.skip(f"NOTICE: no PostgreSQL answers at {POSTGRES_DSN}; the PostgreSQL cases did not run")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_DSN)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    kwargs: dict[str, Any] = {"connect_args": {"server_settings": {"search_path": schema}}}
    engine = create_engine(POSTGRES_URL, **kwargs)
    try:
        yield engine
    finally:
        await engine.dispose()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


async def twin(engine: AsyncEngine) -> AsyncEngine:
    """A second engine on the same database (another process or instance, as far as the database can tell)."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "sqlite":
        return create_engine(url)
    async with engine.connect() as conn:
        schema = (await conn.exec_driver_sql("SHOW search_path")).scalar_one()
    return create_engine(url, connect_args={"server_settings": {"search_path": schema}})
