"""Use-case: hand out a working access token, refreshing it exactly once when it is about to expire."""

from __future__ import annotations

import asyncio
from datetime import datetime

from oauthhandler.domain.errors import (
    ConnectionNotFound,
    EmailNotVerified,
    GrantRejected,
    ProviderUnavailable,
    ReauthorizationRequired,
    Unauthorized,
    safe_code,
)
from oauthhandler.domain.model import Account, Connection, ConnectionStatus, IssuedToken, TokenSet
from oauthhandler.domain.providers import resolve_spec
from oauthhandler.domain.randomness import digest
from oauthhandler.domain.services import Services

STORE_ATTEMPTS = 4


async def get_access_token(
    svc: Services, account: Account, provider: str, end_user_id: str, *, force_refresh: bool = False
) -> IssuedToken:
    """A working token for an authenticated account; an expiring one is refreshed under the connection's lease."""
    async with svc.db.read() as uow:
        seen = await uow.connections.get(account.id, provider, end_user_id)
    return await _hand_out(svc, seen, force_refresh)


async def get_access_token_for_key(
    svc: Services, api_key: str, provider: str, end_user_id: str, *, force_refresh: bool = False
) -> IssuedToken:
    """The hot path: key, account and connection in one indexed read, then a decrypt; no argon2, no ORM."""
    found = await svc.db.connection_for_key(digest(api_key), provider, end_user_id)
    if found is None:
        raise Unauthorized()
    if not found.email_verified:
        raise EmailNotVerified()
    return await _hand_out(svc, found.connection, force_refresh)


async def _hand_out(svc: Services, seen: Connection | None, force_refresh: bool) -> IssuedToken:
    if seen is None:
        raise ConnectionNotFound()
    if seen.status != ConnectionStatus.ACTIVE:
        raise ReauthorizationRequired()
    if not force_refresh and not seen.tokens.refresh_due(svc.policy.refresh_margin, svc.clock.now()):
        return IssuedToken(seen.tokens, refreshed=False)
    try:
        # Shielded: a refresh once begun runs on to its stored end, even if the caller hangs up meanwhile.
        return await asyncio.shield(_refresh(svc, seen, force_refresh))
    except ProviderUnavailable:
        if seen.tokens.is_expired(svc.clock.now()):
            raise
        return IssuedToken(seen.tokens, refreshed=False)  # still valid: better than an error


async def _refresh(svc: Services, seen: Connection, force: bool) -> IssuedToken:
    async with svc.refresh_lock.hold(seen.id) as lease:
        # Re-read under the lease: whoever held it before us may have refreshed already.
        async with svc.db.read() as uow:
            current = await uow.connections.by_id(seen.id)
            config = await uow.providers.get(seen.account_id, seen.provider)
        if current is None or config is None:
            raise ConnectionNotFound()
        if current.status != ConnectionStatus.ACTIVE:
            raise ReauthorizationRequired()
        now = svc.clock.now()
        if current.tokens != seen.tokens:
            return IssuedToken(current.tokens, refreshed=True)
        if not force and not current.tokens.refresh_due(svc.policy.refresh_margin, now):
            return IssuedToken(current.tokens, refreshed=False)
        if not current.tokens.refresh_token:
            if current.tokens.is_expired(now):
                raise ReauthorizationRequired("The token expired and the provider gave no refresh token.")
            return IssuedToken(current.tokens, refreshed=False)
        spec = resolve_spec(svc, config)
        try:
            fresh = await svc.oauth.refresh(
                spec, config.credentials, current.tokens, connection_config=current.connection_config, now=now
            )
        except GrantRejected as exc:
            if exc.error not in spec.reauthorization_errors:
                raise ProviderUnavailable(f"The provider refused the refresh ({safe_code(exc.error)}).") from None
            async with svc.db.transaction() as uow:
                await uow.connections.set_status(current.id, ConnectionStatus.NEEDS_REAUTHORIZATION, now, lease)
                await uow.commit()
            raise ReauthorizationRequired() from None
        tokens = current.tokens.renewed_by(fresh)
        await _store(svc, current.id, tokens, now, lease)
        return IssuedToken(tokens, refreshed=True)


async def _store(svc: Services, connection_id: str, tokens: TokenSet, now: datetime, lease: str) -> None:
    """Store a refresh's result before anyone is answered, retrying: the provider may have rotated the old one.

    Only while the lease is ours: if it was taken away (the end user connected again meanwhile), the newer
    grant stays and the caller still gets the valid token it asked for.
    """
    for attempt in range(STORE_ATTEMPTS):
        try:
            async with svc.db.transaction() as uow:
                await uow.connections.save_tokens(connection_id, tokens, now, lease)
                await uow.commit()
            return
        except Exception:
            if attempt == STORE_ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.1 * 2**attempt)
