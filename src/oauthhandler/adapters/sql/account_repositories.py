"""SQL repositories of accounts, API keys and email verifications, in SQLAlchemy Core."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from oauthhandler.adapters.sql import tables as t
from oauthhandler.adapters.sql.base import SqlRepository
from oauthhandler.domain.model import Account, ApiKey, EmailVerification


def _account(row: Any) -> Account:
    return Account(row.id, row.email, row.password_hash, row.email_verified, row.created_at)


class SqlAccountRepository(SqlRepository):
    async def add(self, account: Account) -> bool:
        try:
            async with self.conn.begin_nested():
                await self.conn.execute(
                    t.accounts.insert().values(
                        id=account.id,
                        email=account.email,
                        password_hash=account.password_hash,
                        email_verified=account.email_verified,
                        created_at=account.created_at,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def get(self, account_id: str) -> Account | None:
        row = (await self.conn.execute(t.accounts.select().where(t.accounts.c.id == account_id))).first()
        return _account(row) if row else None

    async def by_email(self, email: str) -> Account | None:
        row = (await self.conn.execute(t.accounts.select().where(t.accounts.c.email == email))).first()
        return _account(row) if row else None

    async def mark_verified(self, account_id: str) -> None:
        await self.conn.execute(t.accounts.update().where(t.accounts.c.id == account_id).values(email_verified=True))

    async def delete(self, account_id: str) -> None:
        await self.conn.execute(t.accounts.delete().where(t.accounts.c.id == account_id))


class SqlApiKeyRepository(SqlRepository):
    async def add(self, key: ApiKey) -> None:
        await self.conn.execute(
            t.api_keys.insert().values(
                id=key.id,
                account_id=key.account_id,
                name=key.name,
                key_hash=key.key_hash,
                created_at=key.created_at,
            )
        )

    async def list(self, account_id: str) -> list[ApiKey]:
        k = t.api_keys.c
        rows = await self.conn.execute(
            t.api_keys.select().where(k.account_id == account_id, k.revoked_at.is_(None)).order_by(k.created_at)
        )
        return [ApiKey(r.id, r.account_id, r.name, r.key_hash, r.created_at, r.revoked_at) for r in rows]

    async def revoke(self, account_id: str, key_id: str, at: datetime) -> bool:
        k = t.api_keys.c
        result = await self.conn.execute(
            t.api_keys.update()
            .where(k.id == key_id, k.account_id == account_id, k.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(result.rowcount)

    async def account_for(self, key_hash: str) -> Account | None:
        k, a = t.api_keys.c, t.accounts.c
        row = (
            await self.conn.execute(
                sa.select(a.id, a.email, a.password_hash, a.email_verified, a.created_at)
                .select_from(t.api_keys.join(t.accounts, k.account_id == a.id))
                .where(k.key_hash == key_hash, k.revoked_at.is_(None))
            )
        ).first()
        return _account(row) if row else None


class SqlVerificationRepository(SqlRepository):
    async def add(self, verification: EmailVerification) -> None:
        await self.conn.execute(
            t.email_verifications.insert().values(
                token_hash=verification.token_hash,
                account_id=verification.account_id,
                expires_at=verification.expires_at,
            )
        )

    async def consume(self, token_hash: str, now: datetime) -> str | None:
        v = t.email_verifications.c
        result = await self.conn.execute(
            t.email_verifications.update()
            .where(v.token_hash == token_hash, v.used_at.is_(None), v.expires_at > now)
            .values(used_at=now)
        )
        if not result.rowcount:
            return None
        row = (await self.conn.execute(sa.select(v.account_id).where(v.token_hash == token_hash))).first()
        return row.account_id if row else None
