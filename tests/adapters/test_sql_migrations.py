"""Alembic migrations: they build exactly the schema the tables describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from oauthhandler.adapters.sql.migrate import migrate
from oauthhandler.adapters.sql.tables import metadata
from tests.support.databases import engine_for, twin


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_migrations_build_the_schema_of_the_tables(kind: str, tmp_path: Path) -> None:
    async with engine_for(kind, tmp_path) as engine:
        await migrate(engine)
        await migrate(engine)  # a second run is a no-op
        async with engine.connect() as conn:
            assert await conn.run_sync(_differences) == []
            version = (await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).scalar_one()
        assert version == "0001"


async def test_instances_starting_together_migrate_one_after_the_other(tmp_path: Path) -> None:
    async with engine_for("postgres", tmp_path) as engine:
        others = [await twin(engine) for _ in range(3)]
        await asyncio.gather(migrate(engine), *(migrate(other) for other in others))
        for other in others:
            await other.dispose()
        async with engine.connect() as conn:
            assert await conn.run_sync(_differences) == []
