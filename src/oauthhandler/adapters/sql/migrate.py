"""Apply Alembic migrations programmatically, on the app's own async engine."""

from __future__ import annotations

from importlib import resources

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATION_LOCK = 0x0A07_4A4D  # any constant shared by every instance of this service


def alembic_config(url: str = "") -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("oauthhandler.adapters.sql") / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def migrate(engine: AsyncEngine) -> None:
    """Upgrade the database to the newest revision."""

    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Instances starting together on one database migrate one after the other (SQLite's BEGIN
            # IMMEDIATE does the same there); the lock ends with the transaction.
            await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        await conn.run_sync(upgrade)
