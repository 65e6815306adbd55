"""Adapter tests run each case on SQLite and on PostgreSQL (and, for contracts, on the in-memory fake)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from oauthhandler.adapters.sql.migrate import migrate
from tests.support.databases import engine_for


@pytest.fixture(params=["sqlite", "postgres"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated, empty database."""
    async with engine_for(request.param, tmp_path) as engine:
        await migrate(engine)
        yield engine
