"""The one generic OAuth 2 engine: Authlib's httpx client, driven only by catalog data."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from oauthhandler.adapters.oauth.json_body import JsonBodyTransport
from oauthhandler.adapters.oauth.tokens import token_set
from oauthhandler.domain.errors import GrantRejected, ProviderUnavailable
from oauthhandler.domain.model import ClientCredentials, ProviderSpec, TokenSet


class AuthlibProviderClient:
    """Every provider through one code path; quirks come from the ProviderSpec, never from its name."""

    def __init__(self, *, timeout: float = 10.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._timeout = timeout
        self._transport = transport or httpx.AsyncHTTPTransport(retries=0)
        self._json_transport = JsonBodyTransport(self._transport)

    async def aclose(self) -> None:
        await self._transport.aclose()

    def _client(self, spec: ProviderSpec, credentials: ClientCredentials, **kwargs: Any) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            token_endpoint_auth_method=spec.token_request_auth_method,
            revocation_endpoint_auth_method=spec.token_request_auth_method,
            timeout=self._timeout,
            transport=self._json_transport if spec.body_format == "json" else self._transport,
            **kwargs,
        )

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
    ) -> str:
        extra: dict[str, str] = dict(spec.authorization_params)
        if code_verifier:
            extra |= {
                "code_challenge": create_s256_code_challenge(code_verifier),
                "code_challenge_method": "S256",
            }
        uri: str = prepare_grant_uri(
            spec.render(spec.authorization_url, connection_config),
            client_id=credentials.client_id,
            response_type="code",
            redirect_uri=redirect_uri,
            scope=spec.join_scopes(scopes) or None,
            state=state,
            **extra,
        )
        return uri

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
    ) -> TokenSet:
        client = self._client(spec, credentials, redirect_uri=redirect_uri)
        extra = dict(spec.token_params) | ({"code_verifier": code_verifier} if code_verifier else {})
        url = spec.render(spec.token_url, connection_config)
        data = await _call(
            lambda: client.fetch_token(url, grant_type="authorization_code", code=code, **extra), self._timeout
        )
        return token_set(spec, data, now)

    async def refresh(
        self,
        spec: ProviderSpec,
        credentials: ClientCredentials,
        tokens: TokenSet,
        *,
        connection_config: dict[str, str],
        now: datetime,
    ) -> TokenSet:
        client = self._client(spec, credentials)
        url = spec.render(spec.refresh_url or spec.token_url, connection_config)
        # fetch_token, not refresh_token: Authlib's refresh_token() copies the old refresh token into the response
        # when the provider sends none, and the TokenSet must say what the provider granted (renewed_by keeps it).
        data = await _call(
            lambda: client.fetch_token(
                url, grant_type="refresh_token", refresh_token=tokens.refresh_token, **spec.refresh_params
            ),
            self._timeout,
        )
        return token_set(spec, data, now)

    async def revoke(
        self,
        spec: ProviderSpec,
        credentials: ClientCredentials,
        tokens: TokenSet,
        *,
        connection_config: dict[str, str],
    ) -> bool:
        if not spec.revocation_url:
            return False
        client = self._client(spec, credentials)
        url = spec.render(spec.revocation_url, connection_config)
        token, hint = (
            (tokens.refresh_token, "refresh_token") if tokens.refresh_token else (tokens.access_token, "access_token")
        )
        try:
            async with asyncio.timeout(self._timeout):
                response = await client.revoke_token(url, token=token, token_type_hint=hint)
        except (httpx.HTTPError, TimeoutError) as exc:
            raise ProviderUnavailable(f"Revocation failed: {type(exc).__name__}.") from None
        return bool(response.status_code == 200)


async def _call(request: Callable[[], Awaitable[dict[str, Any]]], deadline: float) -> dict[str, Any]:
    """Run a token request; the provider's error codes become GrantRejected, anything else ProviderUnavailable.

    httpx's timeout bounds each read, so a provider dripping bytes could hold a call (and the refresh lease)
    for ever: the deadline bounds the whole call.
    """
    try:
        async with asyncio.timeout(deadline):
            return dict(await request())
    except OAuthError as exc:
        raise GrantRejected(str(exc.error or "provider_error"), "The provider refused the token request.") from None
    except (httpx.TimeoutException, TimeoutError):
        raise ProviderUnavailable("The provider did not answer in time.") from None
    except httpx.HTTPStatusError as exc:
        raise ProviderUnavailable(f"The provider answered HTTP {exc.response.status_code}.") from None
    except (httpx.HTTPError, ValueError):
        raise ProviderUnavailable("The provider's answer could not be read.") from None
