"""rotate-keys: re-encrypt every stored secret under the first key, compare-and-set so no concurrent write is lost."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from oauthhandler.adapters.sql.tables import ENCRYPTED_COLUMNS
from oauthhandler.ports.services import SecretBox


async def key_ids_in_use(engine: AsyncEngine) -> set[str]:
    """The ids of the keys stored secrets were encrypted under (the second part of v1.<key id>.<...>)."""
    found: set[str] = set()
    async with engine.connect() as conn:
        for table, _, columns in ENCRYPTED_COLUMNS:
            for column in columns:
                col = table.c[column]
                rows = await conn.execute(sa.select(sa.func.substr(col, 4, 12)).where(col.is_not(None)).distinct())
                found |= {row[0] for row in rows}
    return found


async def rotate_keys(engine: AsyncEngine, box: SecretBox) -> int:
    """How many values were re-encrypted; a second run finds none."""
    rotated = 0
    for table, keys, columns in ENCRYPTED_COLUMNS:
        for column in columns:
            col = table.c[column]
            async with engine.connect() as conn:
                rows = (await conn.execute(sa.select(*(table.c[k] for k in keys), col).where(col.is_not(None)))).all()
            for row in rows:
                old = row[-1]
                if box.is_current(old):
                    continue
                new = box.encrypt(box.decrypt(old))
                where = [table.c[k] == row[i] for i, k in enumerate(keys)] + [col == old]
                async with engine.begin() as conn:
                    result = await conn.execute(table.update().where(*where).values({column: new}))
                rotated += result.rowcount
    return rotated
