"""The JSON API under /api/v1: thin handlers that parse, call a use-case and shape the answer."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.di import Provide
from litestar.status_codes import HTTP_204_NO_CONTENT

from oauthhandler.domain import api_keys, authorization, connections, providers
from oauthhandler.domain.model import Account
from oauthhandler.domain.services import Services
from oauthhandler.web.auth import provide_account, token_for
from oauthhandler.web.schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    AuthorizeIn,
    CatalogEntryOut,
    ConnectionOut,
    ConnectLinkOut,
    ProviderIn,
    ProviderOut,
    TokenOut,
)
from oauthhandler.web.views import NO_STORE, connection_out, provider_out, token_out


def provider_input(data: ProviderIn) -> providers.ProviderInput:
    """The web shape to the domain's command: the same fields, minus the seed route's extras."""
    fields = msgspec.structs.asdict(data)
    return providers.ProviderInput(**{k: fields[k] for k in ProviderIn.__struct_fields__})


class ApiController(Controller):
    path = "/api/v1"
    dependencies = {"account": Provide(provide_account)}
    tags = ["API"]
    security = [{"BearerAuth": []}, {"BasicAuth": []}]

    @post("/api-keys", cache_control=NO_STORE, summary="Create an API key (the key is shown only here)")
    async def create_key(self, svc: Services, account: Account, data: ApiKeyIn | None = None) -> ApiKeyCreated:
        key, plaintext = await api_keys.create_api_key(svc, account, data.name if data else None)
        return ApiKeyCreated(key.id, key.name, plaintext, key.created_at)

    @get("/api-keys", summary="List API keys (no key material)")
    async def list_keys(self, svc: Services, account: Account) -> list[ApiKeyOut]:
        return [ApiKeyOut(k.id, k.name, k.created_at) for k in await api_keys.list_api_keys(svc, account)]

    @delete("/api-keys/{key_id:str}", status_code=HTTP_204_NO_CONTENT, summary="Revoke an API key at once")
    async def revoke_key(self, svc: Services, account: Account, key_id: str) -> None:
        await api_keys.revoke_api_key(svc, account, key_id)

    @get("/catalog", summary="The providers the service knows")
    async def catalog(self, svc: Services, account: Account) -> list[CatalogEntryOut]:
        return [
            CatalogEntryOut(s.name, s.display_name, s.auth_mode.value, list(s.default_scopes))
            for s in svc.catalog.all()
        ]

    @put("/providers/{name:str}", summary="Enable or update a provider")
    async def enable(self, svc: Services, account: Account, name: str, data: ProviderIn) -> ProviderOut:
        config = await providers.enable_provider(svc, account, name, provider_input(data))
        return provider_out(config, svc.policy)

    @get("/providers", summary="The account's enabled providers")
    async def list_providers(self, svc: Services, account: Account) -> list[ProviderOut]:
        return [provider_out(c, svc.policy) for c in await providers.list_providers(svc, account)]

    @get("/providers/{name:str}", summary="One enabled provider")
    async def get_provider(self, svc: Services, account: Account, name: str) -> ProviderOut:
        return provider_out(await providers.get_provider(svc, account, name), svc.policy)

    @delete("/providers/{name:str}", status_code=HTTP_204_NO_CONTENT, summary="Disable (deletes its connections)")
    async def disable(self, svc: Services, account: Account, name: str) -> None:
        await providers.disable_provider(svc, account, name)

    @post("/providers/{name:str}/authorize", summary="A connect link for one end user")
    async def authorize(self, svc: Services, account: Account, name: str, data: AuthorizeIn) -> ConnectLinkOut:
        link = await authorization.start_authorization(
            svc, account, name, data.end_user_id, data.redirect_url, data.connection_config
        )
        return ConnectLinkOut(link.url, link.expires_at)

    @get("/providers/{name:str}/connections", summary="The provider's connections (no tokens)")
    async def list_connections(self, svc: Services, account: Account, name: str) -> list[ConnectionOut]:
        return [connection_out(c) for c in await connections.list_connections(svc, account, name)]

    @get("/providers/{name:str}/connections/{end_user_id:str}", summary="One connection (no tokens)")
    async def get_connection(self, svc: Services, account: Account, name: str, end_user_id: str) -> ConnectionOut:
        return connection_out(await connections.get_connection(svc, account, name, end_user_id))

    @delete(
        "/providers/{name:str}/connections/{end_user_id:str}",
        status_code=HTTP_204_NO_CONTENT,
        summary="Revoke at the provider when it can, then forget",
    )
    async def disconnect(self, svc: Services, account: Account, name: str, end_user_id: str) -> None:
        await connections.disconnect(svc, account, name, end_user_id)

    @get(
        "/providers/{name:str}/connections/{end_user_id:str}/token",
        cache_control=NO_STORE,
        summary="A working access token",
    )
    async def token(
        self, request: Request[Any, Any, Any], svc: Services, name: str, end_user_id: str, force_refresh: bool = False
    ) -> TokenOut:
        return token_out(await token_for(request, svc, name, end_user_id, force_refresh))
