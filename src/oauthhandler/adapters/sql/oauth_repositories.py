"""SQL repositories of providers, connections and authorization attempts, in SQLAlchemy Core."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from oauthhandler.adapters.sql import tables as t
from oauthhandler.adapters.sql.base import SqlRepository, upsert
from oauthhandler.domain.model import AuthorizationAttempt, Connection, ConnectionStatus, ProviderConfig, TokenSet


class SqlProviderRepository(SqlRepository):
    async def get(self, account_id: str, name: str) -> ProviderConfig | None:
        p = t.providers.c
        row = (await self.conn.execute(t.providers.select().where(p.account_id == account_id, p.name == name))).first()
        return self.codec.provider(row) if row else None

    async def list(self, account_id: str) -> list[ProviderConfig]:
        p = t.providers.c
        rows = await self.conn.execute(t.providers.select().where(p.account_id == account_id).order_by(p.name))
        return [self.codec.provider(r) for r in rows]

    async def save(self, config: ProviderConfig) -> None:
        values = self.codec.provider_values(config)
        update = [k for k in values if k not in ("account_id", "name", "created_at")]
        await self.conn.execute(upsert(self.conn, t.providers, values, ["account_id", "name"], update))

    async def delete(self, account_id: str, name: str) -> bool:
        p = t.providers.c
        result = await self.conn.execute(t.providers.delete().where(p.account_id == account_id, p.name == name))
        return bool(result.rowcount)


class SqlConnectionRepository(SqlRepository):
    async def get(self, account_id: str, provider: str, end_user_id: str) -> Connection | None:
        c = t.connections.c
        row = (
            await self.conn.execute(
                t.connections.select().where(
                    c.account_id == account_id, c.provider == provider, c.end_user_id == end_user_id
                )
            )
        ).first()
        return self.codec.connection(row) if row else None

    async def by_id(self, connection_id: str) -> Connection | None:
        row = (await self.conn.execute(t.connections.select().where(t.connections.c.id == connection_id))).first()
        return self.codec.connection(row) if row else None

    async def list(self, account_id: str, provider: str) -> list[Connection]:
        c = t.connections.c
        rows = await self.conn.execute(
            t.connections.select().where(c.account_id == account_id, c.provider == provider).order_by(c.created_at)
        )
        return [self.codec.connection(r) for r in rows]

    async def upsert(self, connection: Connection) -> Connection:
        values = {
            "id": connection.id,
            "account_id": connection.account_id,
            "provider": connection.provider,
            "end_user_id": connection.end_user_id,
            "status": connection.status.value,
            "tokens_enc": self.codec.seal_tokens(connection.tokens),
            "scopes": list(connection.tokens.scopes),
            "expires_at": connection.tokens.expires_at,
            "connection_config": connection.connection_config,
            "created_at": connection.created_at,
            "updated_at": connection.updated_at,
            "last_refreshed_at": None,
            "lease_owner": None,
            "lease_expires_at": None,
        }
        update = [
            "status",
            "tokens_enc",
            "scopes",
            "expires_at",
            "connection_config",
            "updated_at",
            "lease_owner",
            "lease_expires_at",
        ]
        await self.conn.execute(
            upsert(self.conn, t.connections, values, ["account_id", "provider", "end_user_id"], update)
        )
        stored = await self.get(connection.account_id, connection.provider, connection.end_user_id)
        return stored or replace(connection)

    async def save_tokens(self, connection_id: str, tokens: TokenSet, refreshed_at: datetime, lease: str) -> bool:
        c = t.connections.c
        result = await self.conn.execute(
            t.connections.update()
            .where(c.id == connection_id, c.lease_owner == lease)
            .values(
                tokens_enc=self.codec.seal_tokens(tokens),
                scopes=list(tokens.scopes),
                expires_at=tokens.expires_at,
                updated_at=refreshed_at,
                last_refreshed_at=refreshed_at,
            )
        )
        return bool(result.rowcount)

    async def set_status(self, connection_id: str, status: ConnectionStatus, at: datetime, lease: str) -> bool:
        c = t.connections.c
        result = await self.conn.execute(
            t.connections.update()
            .where(c.id == connection_id, c.lease_owner == lease)
            .values(status=status.value, updated_at=at)
        )
        return bool(result.rowcount)

    async def delete(self, connection_id: str) -> None:
        await self.conn.execute(t.connections.delete().where(t.connections.c.id == connection_id))

    async def delete_for_provider(self, account_id: str, provider: str) -> None:
        c = t.connections.c
        await self.conn.execute(t.connections.delete().where(c.account_id == account_id, c.provider == provider))


class SqlAttemptRepository(SqlRepository):
    async def add(self, attempt: AuthorizationAttempt) -> None:
        await self.conn.execute(
            t.attempts.insert().values(
                id=attempt.id,
                account_id=attempt.account_id,
                provider=attempt.provider,
                end_user_id=attempt.end_user_id,
                redirect_url=attempt.redirect_url,
                connection_config=attempt.connection_config,
                connect_token_hash=attempt.connect_token_hash,
                connect_expires_at=attempt.connect_expires_at,
            )
        )

    def _attempt(self, row: Any) -> AuthorizationAttempt:
        return AuthorizationAttempt(
            id=row.id,
            account_id=row.account_id,
            provider=row.provider,
            end_user_id=row.end_user_id,
            redirect_url=row.redirect_url,
            connection_config=dict(row.connection_config),
            connect_token_hash=row.connect_token_hash,
            connect_expires_at=row.connect_expires_at,
            state_hash=row.state_hash,
            state_expires_at=row.state_expires_at,
            code_verifier=self.codec.open(row.code_verifier_enc),
            browser_hash=row.browser_hash,
        )

    async def by_connect_token(self, token_hash: str) -> AuthorizationAttempt | None:
        a = t.attempts.c
        row = (
            await self.conn.execute(
                t.attempts.select().where(a.connect_token_hash == token_hash, a.connect_used_at.is_(None))
            )
        ).first()
        return self._attempt(row) if row else None

    async def use_connect_link(self, attempt: AuthorizationAttempt, now: datetime) -> bool:
        a = t.attempts.c
        result = await self.conn.execute(
            t.attempts.update()
            .where(a.id == attempt.id, a.connect_used_at.is_(None))
            .values(
                connect_used_at=now,
                state_hash=attempt.state_hash,
                state_expires_at=attempt.state_expires_at,
                code_verifier_enc=self.codec.seal(attempt.code_verifier),
                browser_hash=attempt.browser_hash,
            )
        )
        return bool(result.rowcount)

    async def by_state(self, state_hash: str) -> AuthorizationAttempt | None:
        a = t.attempts.c
        row = (
            await self.conn.execute(t.attempts.select().where(a.state_hash == state_hash, a.state_used_at.is_(None)))
        ).first()
        return self._attempt(row) if row else None

    async def purge(self, links_expired_before: datetime) -> None:
        await self.conn.execute(t.attempts.delete().where(t.attempts.c.connect_expires_at < links_expired_before))

    async def consume_state(self, attempt_id: str, now: datetime) -> bool:
        a = t.attempts.c
        result = await self.conn.execute(
            t.attempts.update().where(a.id == attempt_id, a.state_used_at.is_(None)).values(state_used_at=now)
        )
        return bool(result.rowcount)
