"""Use-cases: enable or update, list, read and disable an account's providers (catalog or custom)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oauthhandler.domain.errors import InvalidRequest, ProviderNotEnabled
from oauthhandler.domain.model import (
    Account,
    ClientCredentials,
    ProviderConfig,
    ProviderSpec,
    has_control_characters,
    parse_scopes,
)
from oauthhandler.domain.services import Services
from oauthhandler.domain.urls import check_url

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_CUSTOM_ONLY = ("authorization_url", "token_url", "revocation_url", "token_auth_method", "pkce", "authorization_params")
# Set by the flow itself; a provider's extra parameters may not override them.
RESERVED_PARAMS = frozenset(
    {"client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge", "code_challenge_method"}
)
TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


@dataclass(frozen=True, slots=True)
class ProviderInput:
    """What a developer sends to enable or update a provider."""

    client_id: str | None = None
    client_secret: str | None = None
    scopes: str | list[str] | None = None
    redirect_url: str | None = None
    api_key: str | None = None
    api_secret: str | None = None
    authorization_url: str | None = None
    token_url: str | None = None
    revocation_url: str | None = None
    token_auth_method: str | None = None
    pkce: bool | None = None
    authorization_params: dict[str, str] = field(default_factory=dict)


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise InvalidRequest("provider: 1-64 lowercase letters, digits, '-' or '_'")
    return name


def custom_spec(name: str, given: ProviderInput) -> ProviderSpec:
    """A custom provider's spec from its URLs; both URLs are required."""
    for key in ("authorization_url", "token_url"):
        if not getattr(given, key):
            raise InvalidRequest(f"{key}: required for a custom provider ({name} is not in the catalog)")
    for key in ("authorization_url", "token_url", "revocation_url"):
        if "{" in (getattr(given, key) or "") or "}" in (getattr(given, key) or ""):
            raise InvalidRequest(f"{key}: must not contain braces")
    for param in given.authorization_params:
        if param in RESERVED_PARAMS:
            raise InvalidRequest(f"authorization_params.{param}: set by the flow itself")
    method = given.token_auth_method or "client_secret_basic"
    if method not in TOKEN_AUTH_METHODS:
        raise InvalidRequest(f"token_auth_method: one of {', '.join(TOKEN_AUTH_METHODS)}")
    return ProviderSpec(
        name=name,
        display_name=name,
        authorization_url=check_url("authorization_url", given.authorization_url or "", require_https=True),
        token_url=check_url("token_url", given.token_url or "", require_https=True),
        revocation_url=given.revocation_url and check_url("revocation_url", given.revocation_url, require_https=True),
        authorization_params=dict(given.authorization_params),
        token_request_auth_method=method,
        pkce=True if given.pkce is None else given.pkce,
        custom=True,
    )


async def enable_provider(svc: Services, account: Account, name: str, given: ProviderInput) -> ProviderConfig:
    """Create or update the account's config for a provider; connections and created_at are kept."""
    catalog_spec = svc.catalog.get(check_name(name))
    for key in ("client_id", "client_secret", "api_key", "api_secret"):
        if has_control_characters(getattr(given, key) or ""):
            raise InvalidRequest(f"{key}: must not contain control characters")
    if catalog_spec is not None:
        for key in _CUSTOM_ONLY:
            if getattr(given, key):
                raise InvalidRequest(f"{key}: only for custom providers; {name} is in the catalog")
    spec = catalog_spec or custom_spec(name, given)
    if given.redirect_url:
        check_url("redirect_url", given.redirect_url)
    now = svc.clock.now()
    async with svc.db.transaction() as uow:
        existing = await uow.providers.get(account.id, name)
        secret = given.client_secret or (existing.credentials.client_secret if existing else None)
        if not given.client_id:
            raise InvalidRequest("client_id: required")
        if not secret:
            raise InvalidRequest("client_secret: required")
        scopes = parse_scopes(given.scopes) if given.scopes is not None else spec.default_scopes
        config = ProviderConfig(
            account_id=account.id,
            name=name,
            credentials=ClientCredentials(given.client_id, secret),
            scopes=scopes,
            redirect_url=given.redirect_url or None,
            created_at=existing.created_at if existing else now,
            updated_at=now,
            custom_spec=None if catalog_spec else spec,
            api_key=given.api_key,
            api_secret=given.api_secret,
        )
        await uow.providers.save(config)
        await uow.commit()
    return config


async def list_providers(svc: Services, account: Account) -> list[ProviderConfig]:
    async with svc.db.read() as uow:
        return await uow.providers.list(account.id)


async def get_provider(svc: Services, account: Account, name: str) -> ProviderConfig:
    async with svc.db.read() as uow:
        config = await uow.providers.get(account.id, name)
    if config is None:
        raise ProviderNotEnabled()
    return config


async def disable_provider(svc: Services, account: Account, name: str) -> None:
    """Forget the provider's credentials and all its connections."""
    async with svc.db.transaction() as uow:
        await uow.connections.delete_for_provider(account.id, name)
        if not await uow.providers.delete(account.id, name):
            raise ProviderNotEnabled()
        await uow.commit()


def resolve_spec(svc: Services, config: ProviderConfig) -> ProviderSpec:
    """The spec in force for a config: the catalog's (as loaded now) or the custom one."""
    return config.spec(svc.catalog.get(config.name))
