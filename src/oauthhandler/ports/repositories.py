"""Storage ports: one unit of work holding a repository per aggregate."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from oauthhandler.domain.model import (
    Account,
    ApiKey,
    AuthorizationAttempt,
    Connection,
    ConnectionStatus,
    EmailVerification,
    KeyedConnection,
    ProviderConfig,
    TokenSet,
)


class AccountRepository(Protocol):
    async def add(self, account: Account) -> bool:
        """Store a new account; False when the email is taken."""

    async def get(self, account_id: str) -> Account | None: ...
    async def by_email(self, email: str) -> Account | None: ...
    async def mark_verified(self, account_id: str) -> None: ...
    async def delete(self, account_id: str) -> None: ...


class ApiKeyRepository(Protocol):
    async def add(self, key: ApiKey) -> None: ...
    async def list(self, account_id: str) -> list[ApiKey]: ...
    async def revoke(self, account_id: str, key_id: str, at: datetime) -> bool: ...
    async def account_for(self, key_hash: str) -> Account | None:
        """The account owning a live (unrevoked) key with this hash."""


class VerificationRepository(Protocol):
    async def add(self, verification: EmailVerification) -> None: ...
    async def consume(self, token_hash: str, now: datetime) -> str | None:
        """Use an unexpired, unused token once; the account id, or None."""


class ProviderRepository(Protocol):
    async def get(self, account_id: str, name: str) -> ProviderConfig | None: ...
    async def list(self, account_id: str) -> list[ProviderConfig]: ...
    async def save(self, config: ProviderConfig) -> None:
        """Insert or update by (account, name)."""

    async def delete(self, account_id: str, name: str) -> bool: ...


class ConnectionRepository(Protocol):
    async def get(self, account_id: str, provider: str, end_user_id: str) -> Connection | None: ...
    async def by_id(self, connection_id: str) -> Connection | None: ...
    async def list(self, account_id: str, provider: str) -> list[Connection]: ...
    async def upsert(self, connection: Connection) -> Connection:
        """Insert, or replace the tokens of the one connection per (account, provider, end user)."""

    async def save_tokens(self, connection_id: str, tokens: TokenSet, refreshed_at: datetime, lease: str) -> bool:
        """Store a refresh's result, only while the refresh lease is still this one's."""

    async def set_status(self, connection_id: str, status: ConnectionStatus, at: datetime, lease: str) -> bool:
        """Change the status, only while the refresh lease is still this one's."""

    async def delete(self, connection_id: str) -> None: ...
    async def delete_for_provider(self, account_id: str, provider: str) -> None: ...


class AttemptRepository(Protocol):
    async def add(self, attempt: AuthorizationAttempt) -> None: ...
    async def by_connect_token(self, token_hash: str) -> AuthorizationAttempt | None: ...
    async def use_connect_link(self, attempt: AuthorizationAttempt, now: datetime) -> bool:
        """Mark the link used and record the attempt's state fields, once; False if already used."""

    async def by_state(self, state_hash: str) -> AuthorizationAttempt | None: ...
    async def consume_state(self, attempt_id: str, now: datetime) -> bool:
        """Use the state once; False if already used."""

    async def purge(self, links_expired_before: datetime) -> None:
        """Forget attempts whose link expired before then (their state has expired too)."""


class UnitOfWork(Protocol):
    @property
    def accounts(self) -> AccountRepository: ...
    @property
    def api_keys(self) -> ApiKeyRepository: ...
    @property
    def verifications(self) -> VerificationRepository: ...
    @property
    def providers(self) -> ProviderRepository: ...
    @property
    def connections(self) -> ConnectionRepository: ...
    @property
    def attempts(self) -> AttemptRepository: ...

    async def commit(self) -> None: ...


class Database(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A unit of work that writes; rolled back unless committed."""

    def read(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A unit of work for reads only, as cheap as the database allows."""

    async def connection_for_key(self, key_hash: str, provider: str, end_user_id: str) -> KeyedConnection | None:
        """The token hot path: a live key's account and connection in one indexed read; None for a dead key."""
