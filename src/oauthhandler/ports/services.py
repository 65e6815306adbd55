"""Non-storage ports: time, hashing, mail, the OAuth engine, the catalog, the refresh lease."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from oauthhandler.domain.model import ClientCredentials, ProviderSpec, TokenSet


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...
    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Check a password; with no hash, spend the same time and answer False."""


class Mailer(Protocol):
    async def send(self, to: str, subject: str, body: str) -> None: ...


class SecretBox(Protocol):
    def encrypt(self, plaintext: bytes) -> str: ...
    def decrypt(self, ciphertext: str) -> bytes: ...
    def is_current(self, ciphertext: str) -> bool:
        """Whether the ciphertext is under the key that now encrypts."""


class Catalog(Protocol):
    def get(self, name: str) -> ProviderSpec | None: ...
    def all(self) -> list[ProviderSpec]: ...


class ProviderClient(Protocol):
    """The OAuth engine. Raises GrantRejected or ProviderUnavailable (domain errors)."""

    def authorization_url(
        self,
        spec: ProviderSpec,
        credentials: ClientCredentials,
        *,
        redirect_uri: str,
        scopes: tuple[str, ...],
        state: str,
        code_verifier: str | None,
        connection_config: dict[str, str],
    ) -> str: ...

    async def exchange_code(
        self,
        spec: ProviderSpec,
        credentials: ClientCredentials,
        *,
        code: str,
        redirect_uri: str,
        code_verifier: str | None,
        connection_config: dict[str, str],
        now: datetime,
    ) -> TokenSet: ...

    async def refresh(
        self,
        spec: ProviderSpec,
        credentials: ClientCredentials,
        tokens: TokenSet,
        *,
        connection_config: dict[str, str],
        now: datetime,
    ) -> TokenSet: ...

    async def revoke(
        self,
        spec: ProviderSpec,
        credentials: ClientCredentials,
        tokens: TokenSet,
        *,
        connection_config: dict[str, str],
    ) -> bool: ...


class RefreshLock(Protocol):
    def hold(self, connection_id: str) -> AbstractAsyncContextManager[str]:
        """Hold the one refresh lease for a connection, across tasks, processes and instances; yields its id."""
