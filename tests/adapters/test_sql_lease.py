"""The refresh lease holds across engines (as across processes and instances), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from oauthhandler.adapters.clock import SystemClock
from oauthhandler.adapters.sql import tables as t
from oauthhandler.adapters.sql.lease import SqlRefreshLease
from oauthhandler.domain.errors import ProviderUnavailable
from tests.support.databases import twin

NOW = datetime(2026, 1, 1, tzinfo=UTC)


async def _row(engine: AsyncEngine, connection_id: str = "c1") -> None:
    async with engine.begin() as conn:
        await conn.execute(
            t.accounts.insert().values(
                id="a1", email="a@x.test", password_hash="h", email_verified=True, created_at=NOW
            )
        )
        await conn.execute(
            t.connections.insert().values(
                id=connection_id,
                account_id="a1",
                provider="p",
                end_user_id="u",
                status="active",
                tokens_enc="x",
                scopes=[],
                connection_config={},
                created_at=NOW,
                updated_at=NOW,
            )
        )


async def test_holders_on_two_engines_never_overlap(engine: AsyncEngine) -> None:
    await _row(engine)
    other = await twin(engine)
    leases = [SqlRefreshLease(engine, SystemClock()), SqlRefreshLease(other, SystemClock())]
    inside: list[int] = []
    overlaps = 0

    async def hold(i: int) -> None:
        nonlocal overlaps
        async with leases[i % 2].hold("c1"):
            inside.append(i)
            overlaps += len(inside) > 1
            await asyncio.sleep(0.005)
            inside.remove(i)

    await asyncio.gather(*(hold(i) for i in range(20)))
    await other.dispose()
    assert overlaps == 0


async def test_a_crashed_holders_lease_expires(engine: AsyncEngine) -> None:
    await _row(engine)
    async with engine.begin() as conn:  # a holder that died without releasing
        await conn.execute(
            t.connections.update().values(
                lease_owner="dead", lease_expires_at=datetime.now(UTC) + timedelta(seconds=0.3)
            )
        )
    started = time.monotonic()
    async with SqlRefreshLease(engine, SystemClock()).hold("c1"):
        waited = time.monotonic() - started
    assert waited >= 0.2
    async with engine.connect() as conn:
        row = (await conn.execute(sa.select(t.connections.c.lease_owner))).one()
    assert row.lease_owner is None  # released again


async def test_waiting_too_long_is_provider_unavailable(engine: AsyncEngine) -> None:
    await _row(engine)
    other = await twin(engine)
    holder = SqlRefreshLease(engine, SystemClock())
    waiter = SqlRefreshLease(other, SystemClock(), wait=timedelta(seconds=0.2))
    async with holder.hold("c1"):
        with pytest.raises(ProviderUnavailable):
            async with waiter.hold("c1"):
                pass
    await other.dispose()


async def test_a_deleted_connection_does_not_block(engine: AsyncEngine) -> None:
    await asyncio.wait_for(SqlRefreshLease(engine, SystemClock()).hold("missing").__aenter__(), timeout=2)
