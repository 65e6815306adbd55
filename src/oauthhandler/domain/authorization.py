"""Use-cases of the connect flow: the connect link, the redirect to the provider, the callback."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from oauthhandler.domain.errors import (
    AuthModeNotSupported,
    AuthorizationFailed,
    ConnectLinkGone,
    GrantRejected,
    InvalidRequest,
    InvalidState,
    ProviderNotEnabled,
    ProviderUnavailable,
    safe_code,
)
from oauthhandler.domain.model import (
    Account,
    AuthMode,
    AuthorizationAttempt,
    Connection,
    ConnectionStatus,
    TokenSet,
    has_control_characters,
)
from oauthhandler.domain.providers import resolve_spec
from oauthhandler.domain.randomness import digest, matches, new_id, new_token
from oauthhandler.domain.services import Services
from oauthhandler.domain.urls import check_url, same_origin


@dataclass(frozen=True, slots=True)
class ConnectLink:
    url: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class FlowStart:
    """Where to send the end user's browser, and the nonce that binds the state to that browser."""

    authorization_url: str
    state: str
    browser_nonce: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class CallbackParams:
    state: str | None
    code: str | None = None
    error: str | None = None
    error_description: str | None = None
    iss: str | None = None


@dataclass(frozen=True, slots=True)
class FlowResult:
    redirect_url: str | None
    provider: str
    end_user_id: str


def check_end_user_id(end_user_id: str) -> str:
    if not isinstance(end_user_id, str) or not 1 <= len(end_user_id) <= 255:
        raise InvalidRequest("end_user_id: must be 1 to 255 characters")
    if has_control_characters(end_user_id):
        raise InvalidRequest("end_user_id: must not contain control characters")
    return end_user_id


async def start_authorization(
    svc: Services,
    account: Account,
    provider: str,
    end_user_id: str,
    redirect_url: str | None = None,
    connection_config: dict[str, str] | None = None,
) -> ConnectLink:
    """A single-use connect link for one end user of one provider."""
    check_end_user_id(end_user_id)
    async with svc.db.transaction() as uow:
        config = await uow.providers.get(account.id, provider)
        if config is None:
            raise ProviderNotEnabled()
        if redirect_url is not None:
            check_url("redirect_url", redirect_url)
            if not config.redirect_url or not same_origin(redirect_url, config.redirect_url):
                raise InvalidRequest("redirect_url: must share the origin of the provider's redirect_url")
        spec = resolve_spec(svc, config)
        if spec.auth_mode != AuthMode.OAUTH2:
            raise AuthModeNotSupported(f"{provider}: auth mode {spec.auth_mode.value} is not supported yet")
        checked = spec.check_connection_config(connection_config)
        token = new_token()
        now = svc.clock.now()
        # Housekeeping on the way: attempts whose link and state are long dead hold nothing worth keeping.
        await uow.attempts.purge(now - svc.policy.state_ttl - timedelta(hours=1))
        expires_at = now + svc.policy.connect_ttl
        attempt = AuthorizationAttempt(
            new_id(),
            account.id,
            provider,
            end_user_id,
            redirect_url or config.redirect_url,
            checked,
            digest(token),
            expires_at,
        )
        await uow.attempts.add(attempt)
        await uow.commit()
    return ConnectLink(f"{svc.policy.public_url.rstrip('/')}/connect/{token}", expires_at)


async def open_connect_link(svc: Services, token: str) -> FlowStart:
    """Use a connect link once: a fresh state and PKCE verifier, and the provider's authorization URL."""
    now = svc.clock.now()
    async with svc.db.transaction() as uow:
        attempt = await uow.attempts.by_connect_token(digest(token))
        if attempt is None or attempt.connect_expires_at <= now:
            raise ConnectLinkGone()
        config = await uow.providers.get(attempt.account_id, attempt.provider)
        if config is None:
            raise ConnectLinkGone()
        spec = resolve_spec(svc, config)
        state, browser_nonce = new_token(), new_token()
        verifier = new_token(48) if spec.pkce else None
        started = replace(
            attempt,
            state_hash=digest(state),
            state_expires_at=now + svc.policy.state_ttl,
            code_verifier=verifier,
            browser_hash=digest(browser_nonce),
        )
        if not await uow.attempts.use_connect_link(started, now):
            raise ConnectLinkGone()
        await uow.commit()
    url = svc.oauth.authorization_url(
        spec,
        config.credentials,
        redirect_uri=svc.policy.callback_url,
        scopes=config.scopes,
        state=state,
        code_verifier=verifier,
        connection_config=attempt.connection_config,
    )
    return FlowStart(url, state, browser_nonce, started.state_expires_at or now)


def _failure(attempt: AuthorizationAttempt, code: str, detail: str) -> AuthorizationFailed:
    return AuthorizationFailed(code, detail, attempt.redirect_url, attempt.provider, attempt.end_user_id)


async def _spend_state(svc: Services, params: CallbackParams, browser_nonce: str | None) -> AuthorizationAttempt:
    """The attempt a state belongs to, used up once, and only from the browser that started it."""
    async with svc.db.read() as uow:
        attempt = await uow.attempts.by_state(digest(params.state)) if params.state else None
    if attempt is None:
        raise InvalidState()
    # Checked before the state is spent, so a forged callback in someone else's browser cannot burn it.
    if not browser_nonce or not matches(browser_nonce, attempt.browser_hash or ""):
        raise _failure(attempt, "browser_mismatch", "This authorization was started in another browser; start again.")
    now = svc.clock.now()
    async with svc.db.transaction() as uow:
        if not await uow.attempts.consume_state(attempt.id, now):
            raise InvalidState()
        await uow.commit()
    if attempt.state_expires_at is None or attempt.state_expires_at <= now:
        raise _failure(attempt, "state_expired", "The authorization took too long; start again.")
    return attempt


async def _exchange(svc: Services, attempt: AuthorizationAttempt, params: CallbackParams) -> TokenSet:
    """The provider's answer checked (error, issuer, code), then the code exchanged for tokens."""
    if params.error:
        code = safe_code(params.error)
        raise _failure(attempt, code, f"The provider answered {code}.")
    async with svc.db.read() as uow:
        config = await uow.providers.get(attempt.account_id, attempt.provider)
    if config is None:
        raise _failure(attempt, "provider_not_enabled", "The provider was disabled during the authorization.")
    spec = resolve_spec(svc, config)
    if params.iss is not None and spec.issuer is not None and params.iss != spec.issuer:
        raise _failure(attempt, "issuer_mismatch", "The authorization response came from an unexpected issuer.")
    if not params.code:
        raise _failure(attempt, "invalid_request", "The provider sent no code.")
    try:
        return await svc.oauth.exchange_code(
            spec,
            config.credentials,
            code=params.code,
            redirect_uri=svc.policy.callback_url,
            code_verifier=attempt.code_verifier,
            connection_config=attempt.connection_config,
            now=svc.clock.now(),
        )
    except GrantRejected as exc:
        raise _failure(attempt, safe_code(exc.error), "The provider refused the code.") from None
    except ProviderUnavailable as exc:
        raise _failure(attempt, ProviderUnavailable.code, exc.detail) from None


async def complete_authorization(svc: Services, params: CallbackParams, browser_nonce: str | None) -> FlowResult:
    """Check the state (single use, bound to the browser), exchange the code and store the connection."""
    attempt = await _spend_state(svc, params, browser_nonce)
    try:
        return await _store_connection(svc, attempt, await _exchange(svc, attempt, params))
    except AuthorizationFailed:
        raise
    except Exception as exc:  # the state is spent: whatever broke, the end user goes back to the app
        raise _failure(attempt, "internal_error", "Something went wrong on our side; start again.") from exc


async def _store_connection(svc: Services, attempt: AuthorizationAttempt, tokens: TokenSet) -> FlowResult:
    now = svc.clock.now()
    connection = Connection(
        new_id(),
        attempt.account_id,
        attempt.provider,
        attempt.end_user_id,
        ConnectionStatus.ACTIVE,
        tokens,
        attempt.connection_config,
        now,
        now,
    )
    async with svc.db.transaction() as uow:
        if await uow.providers.get(attempt.account_id, attempt.provider) is None:  # disabled meanwhile
            raise _failure(attempt, "provider_not_enabled", "The provider was disabled during the authorization.")
        await uow.connections.upsert(connection)
        await uow.commit()
    return FlowResult(attempt.redirect_url, attempt.provider, attempt.end_user_id)
