"""The connect flow: single-use link and state, bound to the browser, checked issuer, every failure mapped."""

from __future__ import annotations

import pytest

from oauthhandler.domain import authorization as flow
from oauthhandler.domain import providers
from oauthhandler.domain.access_token import get_access_token
from oauthhandler.domain.connections import get_connection, list_connections
from oauthhandler.domain.errors import (
    AuthModeNotSupported,
    AuthorizationFailed,
    ConnectionNotFound,
    ConnectLinkGone,
    GrantRejected,
    InvalidRequest,
    InvalidState,
    ProviderNotEnabled,
    ProviderUnavailable,
)
from oauthhandler.domain.model import Account
from tests.unit.conftest import CUSTOM, World, connected, verified_account


async def _started(world: World, account: Account, end_user_id: str = "u1", **kw: object) -> flow.FlowStart:
    if (account.id, "custom") not in world.db.state.providers:
        await providers.enable_provider(world.svc, account, "custom", CUSTOM)
    link = await flow.start_authorization(world.svc, account, "custom", end_user_id, **kw)  # type: ignore[arg-type]
    return await flow.open_connect_link(world.svc, link.url.rsplit("/", 1)[1])


async def test_connect_link_is_single_use(world: World) -> None:
    account = await verified_account(world)
    await providers.enable_provider(world.svc, account, "custom", CUSTOM)
    link = await flow.start_authorization(world.svc, account, "custom", "u1")
    token = link.url.rsplit("/", 1)[1]
    start = await flow.open_connect_link(world.svc, token)
    assert "verifier=" in start.authorization_url and start.state
    with pytest.raises(ConnectLinkGone):
        await flow.open_connect_link(world.svc, token)


async def test_connect_link_expires(world: World) -> None:
    account = await verified_account(world)
    await providers.enable_provider(world.svc, account, "custom", CUSTOM)
    link = await flow.start_authorization(world.svc, account, "custom", "u1")
    world.clock.advance(seconds=601)
    with pytest.raises(ConnectLinkGone):
        await flow.open_connect_link(world.svc, link.url.rsplit("/", 1)[1])


async def test_state_is_single_use_and_a_replay_stores_nothing(world: World) -> None:
    account = await verified_account(world)
    start = await _started(world, account)
    params = flow.CallbackParams(state=start.state, code="c")
    result = await flow.complete_authorization(world.svc, params, start.browser_nonce)
    assert (result.redirect_url, result.provider, result.end_user_id) == ("https://app.test/done", "custom", "u1")
    with pytest.raises(InvalidState):
        await flow.complete_authorization(world.svc, params, start.browser_nonce)
    assert len(world.oauth.exchanges) == 1


async def test_forged_state_is_invalid(world: World) -> None:
    with pytest.raises(InvalidState):
        await flow.complete_authorization(world.svc, flow.CallbackParams(state="forged", code="c"), "nonce")
    with pytest.raises(InvalidState):
        await flow.complete_authorization(world.svc, flow.CallbackParams(state=None, code="c"), None)


async def test_another_browser_is_refused_without_spending_the_state(world: World) -> None:
    account = await verified_account(world)
    start = await _started(world, account)
    params = flow.CallbackParams(state=start.state, code="c")
    for nonce in (None, "someone-elses"):
        with pytest.raises(AuthorizationFailed) as failed:
            await flow.complete_authorization(world.svc, params, nonce)
        assert failed.value.code == "browser_mismatch"
    assert world.oauth.exchanges == []
    await flow.complete_authorization(world.svc, params, start.browser_nonce)


async def test_expired_state_fails(world: World) -> None:
    account = await verified_account(world)
    start = await _started(world, account)
    world.clock.advance(minutes=11)
    with pytest.raises(AuthorizationFailed) as failed:
        await flow.complete_authorization(
            world.svc, flow.CallbackParams(state=start.state, code="c"), start.browser_nonce
        )
    assert failed.value.code == "state_expired"
    assert world.oauth.exchanges == []


async def test_provider_error_is_passed_on(world: World) -> None:
    account = await verified_account(world)
    start = await _started(world, account)
    params = flow.CallbackParams(state=start.state, error="access_denied")
    with pytest.raises(AuthorizationFailed) as failed:
        await flow.complete_authorization(world.svc, params, start.browser_nonce)
    assert (failed.value.code, failed.value.redirect_url) == ("access_denied", "https://app.test/done")


@pytest.mark.parametrize(
    ("failure", "code"),
    [(GrantRejected("invalid_grant"), "invalid_grant"), (ProviderUnavailable(), "provider_unavailable")],
)
async def test_exchange_failures_store_nothing(world: World, failure: Exception, code: str) -> None:
    account = await verified_account(world)
    start = await _started(world, account)
    world.oauth.exchange_failure = failure
    with pytest.raises(AuthorizationFailed) as failed:
        await flow.complete_authorization(
            world.svc, flow.CallbackParams(state=start.state, code="c"), start.browser_nonce
        )
    assert failed.value.code == code
    with pytest.raises(ConnectionNotFound):
        await get_connection(world.svc, account, "custom", "u1")


async def test_issuer_mismatch_is_refused(world: World) -> None:
    account = await verified_account(world)
    await providers.enable_provider(world.svc, account, "cataloged", providers.ProviderInput("id", "secret"))
    link = await flow.start_authorization(world.svc, account, "cataloged", "u1")
    start = await flow.open_connect_link(world.svc, link.url.rsplit("/", 1)[1])
    params = flow.CallbackParams(state=start.state, code="c", iss="https://evil.test")
    with pytest.raises(AuthorizationFailed) as failed:
        await flow.complete_authorization(world.svc, params, start.browser_nonce)
    assert failed.value.code == "issuer_mismatch"


async def test_reconnecting_replaces_the_one_connection(world: World) -> None:
    account = await verified_account(world)
    await connected(world, account)
    first = await get_connection(world.svc, account, "custom", "u1")
    await connected(world, account)
    connections = await list_connections(world.svc, account, "custom")
    assert len(connections) == 1
    assert connections[0].id == first.id and connections[0].created_at == first.created_at
    assert (await get_access_token(world.svc, account, "custom", "u1")).tokens.access_token == "access-2"


async def test_redirect_url_must_share_the_providers_origin(world: World) -> None:
    account = await verified_account(world)
    await providers.enable_provider(world.svc, account, "custom", CUSTOM)
    await flow.start_authorization(world.svc, account, "custom", "u1", "https://app.test/other?x=1")
    with pytest.raises(InvalidRequest, match="redirect_url"):
        await flow.start_authorization(world.svc, account, "custom", "u1", "https://evil.test/done")
    with pytest.raises(InvalidRequest, match="redirect_url"):
        await flow.start_authorization(world.svc, account, "custom", "u1", "http://app.test/done")


@pytest.mark.parametrize("end_user_id", ["", "x" * 256])
async def test_end_user_id_length(world: World, end_user_id: str) -> None:
    account = await verified_account(world)
    await providers.enable_provider(world.svc, account, "custom", CUSTOM)
    with pytest.raises(InvalidRequest, match="end_user_id"):
        await flow.start_authorization(world.svc, account, "custom", end_user_id)


async def test_connection_config_is_checked_and_templated(world: World) -> None:
    account = await verified_account(world)
    await providers.enable_provider(world.svc, account, "shoplike", providers.ProviderInput("id", "secret"))
    for bad in (None, {"shop": "evil.test/x"}, {"shop": "ok", "extra": "no"}):
        with pytest.raises(InvalidRequest, match="connection_config"):
            await flow.start_authorization(world.svc, account, "shoplike", "u1", connection_config=bad)
    link = await flow.start_authorization(world.svc, account, "shoplike", "u1", connection_config={"shop": "my-store"})
    start = await flow.open_connect_link(world.svc, link.url.rsplit("/", 1)[1])
    assert "verifier=None" in start.authorization_url  # the spec says pkce: false


async def test_authorize_needs_an_enabled_provider(world: World) -> None:
    account = await verified_account(world)
    with pytest.raises(ProviderNotEnabled):
        await flow.start_authorization(world.svc, account, "custom", "u1")


async def test_an_unexpected_failure_after_the_state_is_spent_goes_back_to_the_app(world: World) -> None:
    account = await verified_account(world)
    start = await _started(world, account)
    world.oauth.exchange_failure = RuntimeError("a bug")
    with pytest.raises(AuthorizationFailed) as failed:
        await flow.complete_authorization(
            world.svc, flow.CallbackParams(state=start.state, code="c"), start.browser_nonce
        )
    assert (failed.value.code, failed.value.redirect_url) == ("internal_error", "https://app.test/done")


@pytest.mark.parametrize("end_user_id", ["nul\x00byte", "tab\there"])
async def test_end_user_id_without_control_characters(world: World, end_user_id: str) -> None:
    account = await verified_account(world)
    await providers.enable_provider(world.svc, account, "custom", CUSTOM)
    with pytest.raises(InvalidRequest, match="end_user_id"):
        await flow.start_authorization(world.svc, account, "custom", end_user_id)


@pytest.mark.parametrize(
    "redirect_url", ["https://app.test:99999/x", "https://[::1/x", "https://evil.test\\@app.test/"]
)
async def test_malformed_redirect_url_is_invalid_request(world: World, redirect_url: str) -> None:
    account = await verified_account(world)
    await providers.enable_provider(world.svc, account, "custom", CUSTOM)
    with pytest.raises(InvalidRequest, match="redirect_url"):
        await flow.start_authorization(world.svc, account, "custom", "u1", redirect_url)


async def test_a_provider_disabled_during_the_exchange_leaves_no_orphan_connection(world: World) -> None:
    account = await verified_account(world)
    start = await _started(world, account)
    original = world.oauth.exchange_code

    async def exchange_while_disabled(*args: object, **kw: object) -> object:
        await providers.disable_provider(world.svc, account, "custom")
        return await original(*args, **kw)  # type: ignore[arg-type]

    world.oauth.exchange_code = exchange_while_disabled  # type: ignore[method-assign]
    with pytest.raises(AuthorizationFailed) as failed:
        await flow.complete_authorization(
            world.svc, flow.CallbackParams(state=start.state, code="c"), start.browser_nonce
        )
    assert failed.value.code == "provider_not_enabled"
    assert world.db.state.connections == {}


async def test_auth_modes_other_than_oauth2_are_refused_clearly(world: World) -> None:
    account = await verified_account(world)
    await providers.enable_provider(world.svc, account, "oauth1ish", providers.ProviderInput("id", "secret"))
    with pytest.raises(AuthModeNotSupported):
        await flow.start_authorization(world.svc, account, "oauth1ish", "u1")
