"""The refresh lease: one row-level compare-and-set per connection, held across tasks, processes and instances."""

from __future__ import annotations

import asyncio
import random
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from oauthhandler.adapters.sql import tables as t
from oauthhandler.domain.errors import ProviderUnavailable
from oauthhandler.domain.randomness import new_id
from oauthhandler.ports.services import Clock


class SqlRefreshLease:
    """Tasks of one process queue on an asyncio lock; processes compete for the lease columns of the row.

    The lease expires after `ttl` so a crashed holder cannot block a connection for ever; `ttl` must exceed
    the provider call's timeout, so a live holder never loses it.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        *,
        ttl: timedelta = timedelta(seconds=60),
        wait: timedelta = timedelta(seconds=75),
    ) -> None:
        self._engine, self._clock, self._ttl, self._wait = engine, clock, ttl, wait
        self._local: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @asynccontextmanager
    async def hold(self, connection_id: str) -> AsyncIterator[str]:
        local = self._local.get(connection_id)
        if local is None:
            local = self._local[connection_id] = asyncio.Lock()
        async with local:
            owner = new_id()
            await self._acquire(connection_id, owner)
            try:
                yield owner
            finally:
                await self._release(connection_id, owner)

    async def _acquire(self, connection_id: str, owner: str) -> None:
        c = t.connections.c
        deadline = asyncio.get_running_loop().time() + self._wait.total_seconds()
        pause = 0.01
        while True:
            now = self._clock.now()
            async with self._engine.begin() as conn:
                taken = await conn.execute(
                    t.connections.update()
                    .where(c.id == connection_id, sa.or_(c.lease_expires_at.is_(None), c.lease_expires_at <= now))
                    .values(lease_owner=owner, lease_expires_at=now + self._ttl)
                )
                if taken.rowcount:
                    return
                exists = (await conn.execute(sa.select(c.id).where(c.id == connection_id))).first()
            if exists is None:
                return  # deleted meanwhile; the caller's re-read finds nothing
            if asyncio.get_running_loop().time() > deadline:
                raise ProviderUnavailable("Another refresh of this connection is taking too long; try again.")
            await asyncio.sleep(pause * (0.5 + random.random()))  # noqa: S311 - jitter, not security
            pause = min(pause * 2, 0.2)

    async def _release(self, connection_id: str, owner: str) -> None:
        c = t.connections.c
        async with self._engine.begin() as conn:
            await conn.execute(
                t.connections.update()
                .where(c.id == connection_id, c.lease_owner == owner)
                .values(lease_owner=None, lease_expires_at=None)
            )
