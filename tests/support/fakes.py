"""In-memory fakes of our own ports, for fast domain tests. The contract tests hold them to the SQL adapter."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from oauthhandler.domain.model import (
    Account,
    ApiKey,
    AuthorizationAttempt,
    ClientCredentials,
    Connection,
    ConnectionStatus,
    EmailVerification,
    KeyedConnection,
    ProviderConfig,
    ProviderSpec,
    TokenSet,
)


@dataclass
class Faults:
    """Failures to inject, shared by every copy of the state (a rolled-back copy still used one up)."""

    failing_writes: int = 0


@dataclass
class _State:
    accounts: dict[str, Account] = field(default_factory=dict)
    api_keys: dict[str, ApiKey] = field(default_factory=dict)
    verifications: dict[str, tuple[EmailVerification, datetime | None]] = field(default_factory=dict)
    providers: dict[tuple[str, str], ProviderConfig] = field(default_factory=dict)
    connections: dict[str, Connection] = field(default_factory=dict)
    attempts: dict[str, AuthorizationAttempt] = field(default_factory=dict)
    used_links: set[str] = field(default_factory=set)
    used_states: set[str] = field(default_factory=set)
    faults: Faults = field(default_factory=lambda: Faults())

    def copy(self) -> _State:
        return _State(**{k: v if k == "faults" else type(v)(v) for k, v in vars(self).items()})


class _Repos:
    def __init__(self, state: _State) -> None:
        self.s = state


class InMemoryAccounts(_Repos):
    async def add(self, account: Account) -> bool:
        if any(a.email == account.email for a in self.s.accounts.values()):
            return False
        self.s.accounts[account.id] = account
        return True

    async def get(self, account_id: str) -> Account | None:
        return self.s.accounts.get(account_id)

    async def by_email(self, email: str) -> Account | None:
        return next((a for a in self.s.accounts.values() if a.email == email), None)

    async def mark_verified(self, account_id: str) -> None:
        self.s.accounts[account_id] = replace(self.s.accounts[account_id], email_verified=True)

    async def delete(self, account_id: str) -> None:
        self.s.accounts.pop(account_id, None)
        for token_hash, (verification, _) in list(self.s.verifications.items()):
            if verification.account_id == account_id:
                del self.s.verifications[token_hash]


class InMemoryApiKeys(_Repos):
    async def add(self, key: ApiKey) -> None:
        self.s.api_keys[key.id] = key

    async def list(self, account_id: str) -> list[ApiKey]:
        keys = [k for k in self.s.api_keys.values() if k.account_id == account_id and k.revoked_at is None]
        return sorted(keys, key=lambda k: k.created_at)

    async def revoke(self, account_id: str, key_id: str, at: datetime) -> bool:
        key = self.s.api_keys.get(key_id)
        if key is None or key.account_id != account_id or key.revoked_at is not None:
            return False
        self.s.api_keys[key_id] = replace(key, revoked_at=at)
        return True

    async def account_for(self, key_hash: str) -> Account | None:
        for key in self.s.api_keys.values():
            if key.key_hash == key_hash and key.revoked_at is None:
                return self.s.accounts.get(key.account_id)
        return None


class InMemoryVerifications(_Repos):
    async def add(self, verification: EmailVerification) -> None:
        self.s.verifications[verification.token_hash] = (verification, None)

    async def consume(self, token_hash: str, now: datetime) -> str | None:
        found = self.s.verifications.get(token_hash)
        if found is None or found[1] is not None or found[0].expires_at <= now:
            return None
        self.s.verifications[token_hash] = (found[0], now)
        return found[0].account_id


class InMemoryProviders(_Repos):
    async def get(self, account_id: str, name: str) -> ProviderConfig | None:
        return self.s.providers.get((account_id, name))

    async def list(self, account_id: str) -> list[ProviderConfig]:
        return sorted((p for (a, _), p in self.s.providers.items() if a == account_id), key=lambda p: p.name)

    async def save(self, config: ProviderConfig) -> None:
        old = self.s.providers.get((config.account_id, config.name))
        self.s.providers[(config.account_id, config.name)] = (
            replace(config, created_at=old.created_at) if old else config
        )

    async def delete(self, account_id: str, name: str) -> bool:
        return self.s.providers.pop((account_id, name), None) is not None


class InMemoryConnections(_Repos):
    async def get(self, account_id: str, provider: str, end_user_id: str) -> Connection | None:
        return next(
            (
                c
                for c in self.s.connections.values()
                if (c.account_id, c.provider, c.end_user_id) == (account_id, provider, end_user_id)
            ),
            None,
        )

    async def by_id(self, connection_id: str) -> Connection | None:
        return self.s.connections.get(connection_id)

    async def list(self, account_id: str, provider: str) -> list[Connection]:
        found = [c for c in self.s.connections.values() if (c.account_id, c.provider) == (account_id, provider)]
        return sorted(found, key=lambda c: c.created_at)

    async def upsert(self, connection: Connection) -> Connection:
        old = await self.get(connection.account_id, connection.provider, connection.end_user_id)
        stored = (
            replace(connection, id=old.id, created_at=old.created_at, last_refreshed_at=old.last_refreshed_at)
            if old
            else connection
        )
        self.s.connections[stored.id] = stored
        return stored

    async def save_tokens(self, connection_id: str, tokens: TokenSet, refreshed_at: datetime, lease: str) -> bool:
        """The fake's lease is the in-memory lock, which nothing takes away: the write always holds it."""
        if self.s.faults.failing_writes:
            self.s.faults.failing_writes -= 1
            raise ConnectionError("the fake database is down for this write")
        c = self.s.connections[connection_id]
        self.s.connections[connection_id] = replace(
            c, tokens=tokens, updated_at=refreshed_at, last_refreshed_at=refreshed_at
        )
        return True

    async def set_status(self, connection_id: str, status: ConnectionStatus, at: datetime, lease: str) -> bool:
        self.s.connections[connection_id] = replace(self.s.connections[connection_id], status=status, updated_at=at)
        return True

    async def delete(self, connection_id: str) -> None:
        self.s.connections.pop(connection_id, None)

    async def delete_for_provider(self, account_id: str, provider: str) -> None:
        for c in await self.list(account_id, provider):
            del self.s.connections[c.id]


class InMemoryAttempts(_Repos):
    async def add(self, attempt: AuthorizationAttempt) -> None:
        self.s.attempts[attempt.id] = attempt

    async def by_connect_token(self, token_hash: str) -> AuthorizationAttempt | None:
        return next(
            (
                a
                for a in self.s.attempts.values()
                if a.connect_token_hash == token_hash and a.id not in self.s.used_links
            ),
            None,
        )

    async def use_connect_link(self, attempt: AuthorizationAttempt, now: datetime) -> bool:
        if attempt.id in self.s.used_links:
            return False
        self.s.used_links.add(attempt.id)
        self.s.attempts[attempt.id] = attempt
        return True

    async def by_state(self, state_hash: str) -> AuthorizationAttempt | None:
        return next(
            (a for a in self.s.attempts.values() if a.state_hash == state_hash and a.id not in self.s.used_states),
            None,
        )

    async def purge(self, links_expired_before: datetime) -> None:
        for key, attempt in list(self.s.attempts.items()):
            if attempt.connect_expires_at < links_expired_before:
                del self.s.attempts[key]

    async def consume_state(self, attempt_id: str, now: datetime) -> bool:
        if attempt_id in self.s.used_states:
            return False
        self.s.used_states.add(attempt_id)
        return True


class InMemoryUnitOfWork:
    def __init__(self, state: _State) -> None:
        self.state = state
        self.committed = False
        self.accounts = InMemoryAccounts(state)
        self.api_keys = InMemoryApiKeys(state)
        self.verifications = InMemoryVerifications(state)
        self.providers = InMemoryProviders(state)
        self.connections = InMemoryConnections(state)
        self.attempts = InMemoryAttempts(state)

    async def commit(self) -> None:
        self.committed = True


class InMemoryDatabase:
    """Transactions work on a copy that replaces the state only on commit, like a real rollback."""

    def __init__(self) -> None:
        self.state = _State()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[InMemoryUnitOfWork]:
        uow = InMemoryUnitOfWork(self.state.copy())
        yield uow
        if uow.committed:
            self.state = uow.state

    @asynccontextmanager
    async def read(self) -> AsyncIterator[InMemoryUnitOfWork]:
        yield InMemoryUnitOfWork(self.state)

    async def connection_for_key(self, key_hash: str, provider: str, end_user_id: str) -> KeyedConnection | None:
        uow = InMemoryUnitOfWork(self.state)
        account = await uow.api_keys.account_for(key_hash)
        if account is None:
            return None
        return KeyedConnection(account.email_verified, await uow.connections.get(account.id, provider, end_user_id))


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeHasher:
    async def hash(self, password: str) -> str:
        return "fake$" + password

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return password_hash == "fake$" + password


class FakeMailer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.failure: Exception | None = None

    async def send(self, to: str, subject: str, body: str) -> None:
        if self.failure:
            raise self.failure
        self.sent.append((to, subject, body))


class InMemoryRefreshLock:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def hold(self, connection_id: str) -> AsyncIterator[str]:
        async with self._locks.setdefault(connection_id, asyncio.Lock()):
            yield "in-memory-lease"


class FakeProviderClient:
    """A scripted provider: each grant issues numbered tokens; `refresh_failure` makes the next refresh fail."""

    def __init__(self, clock: FakeClock, lifetime: timedelta | None = timedelta(hours=1)) -> None:
        self.clock, self.lifetime = clock, lifetime
        self.serial = itertools.count(1)
        self.exchanges: list[dict[str, Any]] = []
        self.refreshes: list[str | None] = []
        self.revoked: list[str] = []
        self.refresh_failure: Exception | None = None
        self.exchange_failure: Exception | None = None
        self.rotate = True
        self.refresh_delay = 0.0

    def issue(self, *, refresh: bool = True) -> TokenSet:
        n = next(self.serial)
        expires = self.clock.now() + self.lifetime if self.lifetime else None
        return TokenSet(
            f"access-{n}", "bearer", f"refresh-{n}" if refresh else None, expires, ("read",), {}, self.clock.now()
        )

    def authorization_url(self, spec: ProviderSpec, credentials: ClientCredentials, **kw: Any) -> str:
        return f"https://provider.test/authorize?state={kw['state']}&verifier={kw['code_verifier']}"

    async def exchange_code(self, spec: ProviderSpec, credentials: ClientCredentials, **kw: Any) -> TokenSet:
        self.exchanges.append(kw)
        if self.exchange_failure:
            raise self.exchange_failure
        return self.issue()

    async def refresh(
        self, spec: ProviderSpec, credentials: ClientCredentials, tokens: TokenSet, **kw: Any
    ) -> TokenSet:
        self.refreshes.append(tokens.refresh_token)
        await asyncio.sleep(self.refresh_delay)
        if self.refresh_failure:
            raise self.refresh_failure
        return self.issue(refresh=self.rotate)

    async def revoke(self, spec: ProviderSpec, credentials: ClientCredentials, tokens: TokenSet, **kw: Any) -> bool:
        self.revoked.append(tokens.refresh_token or tokens.access_token)
        return True


class StaticCatalog:
    def __init__(self, *specs: ProviderSpec) -> None:
        self._specs = {s.name: s for s in specs}

    def get(self, name: str) -> ProviderSpec | None:
        return self._specs.get(name)

    def all(self) -> list[ProviderSpec]:
        return list(self._specs.values())
