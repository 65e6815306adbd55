"""Domain values to response shapes."""

from __future__ import annotations

from litestar.datastructures import CacheControlHeader

from oauthhandler.domain.model import Connection, IssuedToken, Policy, ProviderConfig
from oauthhandler.web.schemas import ConnectionOut, ProviderOut, TokenOut

# Tokens and keys in a response must not be kept by any cache on the way (RFC 6749, section 5.1).
NO_STORE = CacheControlHeader(no_store=True)


def provider_out(config: ProviderConfig, policy: Policy) -> ProviderOut:
    return ProviderOut(
        config.name,
        policy.callback_url,
        list(config.scopes),
        config.redirect_url,
        config.created_at,
        config.updated_at,
    )


def connection_out(c: Connection) -> ConnectionOut:
    return ConnectionOut(
        c.end_user_id,
        c.status.value,
        list(c.tokens.scopes),
        c.tokens.expires_at,
        c.created_at,
        c.updated_at,
        c.last_refreshed_at,
    )


def token_out(issued: IssuedToken) -> TokenOut:
    t = issued.tokens
    return TokenOut(t.access_token, t.token_type, t.expires_at, list(t.scopes), issued.refreshed)
