"""Domain values: accounts, provider specs and configs, tokens, connections, authorization attempts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from oauthhandler.domain.errors import InvalidRequest


@dataclass(frozen=True, slots=True)
class Policy:
    """Knobs the use-cases need from the settings."""

    public_url: str
    refresh_margin: timedelta = timedelta(seconds=300)
    connect_ttl: timedelta = timedelta(seconds=600)
    state_ttl: timedelta = timedelta(minutes=10)
    verification_ttl: timedelta = timedelta(hours=24)

    @property
    def callback_url(self) -> str:
        return f"{self.public_url.rstrip('/')}/authorization-success"


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    email: str
    password_hash: str
    email_verified: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    account_id: str
    name: str
    key_hash: str
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class EmailVerification:
    token_hash: str
    account_id: str
    expires_at: datetime


class AuthMode(StrEnum):
    OAUTH2 = "oauth2"
    OAUTH1 = "oauth1"
    OAUTH2_CLIENT_CREDENTIALS = "oauth2_client_credentials"


@dataclass(frozen=True, slots=True)
class ConnectionConfigField:
    """A value the end user's connection needs (Shopify's `shop`), checked against a pattern."""

    name: str
    pattern: str
    description: str = ""

    def check(self, value: object) -> str:
        if not isinstance(value, str) or not re.fullmatch(self.pattern, value):
            raise InvalidRequest(f"connection_config.{self.name}: must match {self.pattern}")
        return value


_PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """How to talk OAuth to one provider: catalog data, or a custom provider's URLs."""

    name: str
    display_name: str
    authorization_url: str
    token_url: str
    auth_mode: AuthMode = AuthMode.OAUTH2
    refresh_url: str | None = None
    revocation_url: str | None = None
    default_scopes: tuple[str, ...] = ()
    scope_separator: str = " "
    authorization_params: dict[str, str] = field(default_factory=dict)
    token_params: dict[str, str] = field(default_factory=dict)
    refresh_params: dict[str, str] = field(default_factory=dict)
    token_request_auth_method: str = "client_secret_basic"
    body_format: str = "form"
    pkce: bool = True
    access_token_path: str | None = None
    connection_config: tuple[ConnectionConfigField, ...] = ()
    token_lifetime_default: int | None = None
    issuer: str | None = None
    reauthorization_errors: tuple[str, ...] = ("invalid_grant",)
    docs: str | None = None
    custom: bool = False

    def check_connection_config(self, values: dict[str, Any] | None) -> dict[str, str]:
        """The connection_config values this provider asks for, each checked; extra keys are refused."""
        values = values or {}
        known = {f.name for f in self.connection_config}
        for key in values:
            if key not in known:
                raise InvalidRequest(f"connection_config.{key}: not used by provider {self.name}")
        checked = {}
        for spec_field in self.connection_config:
            if spec_field.name not in values:
                raise InvalidRequest(f"connection_config.{spec_field.name}: required by provider {self.name}")
            checked[spec_field.name] = spec_field.check(values[spec_field.name])
        return checked

    def render(self, url: str, connection_config: dict[str, str]) -> str:
        """Fill `{name}` placeholders of a catalog URL with checked connection_config values."""
        return _PLACEHOLDER.sub(lambda m: connection_config[m.group(1)], url)

    def join_scopes(self, scopes: tuple[str, ...]) -> str:
        return self.scope_separator.join(scopes)

    def default_lifetime(self) -> timedelta | None:
        return None if self.token_lifetime_default is None else timedelta(seconds=self.token_lifetime_default)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    """NUL, newlines, tabs and the like: never part of an id, an email or a credential (and NUL breaks PostgreSQL)."""
    return _CONTROL.search(text) is not None


def parse_scopes(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Scopes as given by a developer: a list, or one string split on spaces or commas."""
    if value is None:
        return ()
    items = re.split(r"[\s,]+", value) if isinstance(value, str) else list(value)
    return tuple(dict.fromkeys(s.strip() for s in items if s and s.strip()))


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    client_id: str
    client_secret: str


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    """One account's enabled provider: its OAuth app's credentials, kept encrypted at rest."""

    account_id: str
    name: str
    credentials: ClientCredentials
    scopes: tuple[str, ...]
    redirect_url: str | None
    created_at: datetime
    updated_at: datetime
    custom_spec: ProviderSpec | None = None
    api_key: str | None = None
    api_secret: str | None = None

    def spec(self, catalog_spec: ProviderSpec | None) -> ProviderSpec:
        spec = catalog_spec or self.custom_spec
        if spec is None:
            raise InvalidRequest(f"provider {self.name}: neither in the catalog nor configured with URLs")
        return spec


@dataclass(frozen=True, slots=True)
class TokenSet:
    """What a provider granted. `raw` is the provider's whole token response, kept encrypted with the rest."""

    access_token: str
    token_type: str = "bearer"
    refresh_token: str | None = None
    expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)
    obtained_at: datetime | None = None

    def expires_within(self, margin: timedelta, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at - margin <= now

    def refresh_due(self, margin: timedelta, now: datetime) -> bool:
        """Expiring within the margin; for tokens that live shorter than twice the margin, within half their life.

        Otherwise a provider issuing 5-minute tokens would see a refresh on every request.
        """
        if self.expires_at is not None and self.obtained_at is not None:
            margin = min(margin, (self.expires_at - self.obtained_at) / 2)
        return self.expires_within(margin, now)

    def is_expired(self, now: datetime) -> bool:
        return self.expires_within(timedelta(0), now)

    def renewed_by(self, fresh: TokenSet) -> TokenSet:
        """The token set after a refresh: a response without a new refresh token keeps the old one."""
        return replace(
            fresh,
            refresh_token=fresh.refresh_token or self.refresh_token,
            scopes=fresh.scopes or self.scopes,
        )


class ConnectionStatus(StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTHORIZATION = "needs_reauthorization"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class Connection:
    id: str
    account_id: str
    provider: str
    end_user_id: str
    status: ConnectionStatus
    tokens: TokenSet
    connection_config: dict[str, str]
    created_at: datetime
    updated_at: datetime
    last_refreshed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class KeyedConnection:
    """What one read by API key finds: whether its account is verified, and the asked-for connection if any."""

    email_verified: bool
    connection: Connection | None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A working token handed to a caller, and whether it was refreshed to answer this request."""

    tokens: TokenSet
    refreshed: bool


@dataclass(frozen=True, slots=True)
class AuthorizationAttempt:
    """One end user's way through a connect link, the provider and back: the link, then the state."""

    id: str
    account_id: str
    provider: str
    end_user_id: str
    redirect_url: str | None
    connection_config: dict[str, str]
    connect_token_hash: str
    connect_expires_at: datetime
    state_hash: str | None = None
    state_expires_at: datetime | None = None
    code_verifier: str | None = None
    browser_hash: str | None = None
