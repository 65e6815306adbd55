"""Accounts and providers: sign-up rules, verification, credentials, catalog vs custom providers."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from oauthhandler.domain import accounts, api_keys, providers
from oauthhandler.domain.connections import list_connections
from oauthhandler.domain.errors import (
    EmailNotVerified,
    EmailTaken,
    InvalidRequest,
    InvalidToken,
    MailUnavailable,
    ProviderNotEnabled,
    Unauthorized,
)
from tests.unit.conftest import CUSTOM, World, connected, verified_account


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [("not-an-email", "0123456789", "email"), ("a@b.test", "short", "password"), ("a@b", "0123456789", "email")],
)
async def test_signup_rules(world: World, email: str, password: str, field: str) -> None:
    with pytest.raises(InvalidRequest, match=f"^{field}:"):
        await accounts.sign_up(world.svc, email, password)


async def test_duplicate_signup_is_refused_case_insensitively(world: World) -> None:
    await accounts.sign_up(world.svc, "Dev@Example.test", "0123456789")
    with pytest.raises(EmailTaken):
        await accounts.sign_up(world.svc, "dev@example.test", "0123456789")


async def test_verification_token_works_once_and_expires(world: World) -> None:
    await accounts.sign_up(world.svc, "a@example.test", "0123456789")
    await accounts.sign_up(world.svc, "b@example.test", "0123456789")
    token_a, token_b = (body.split("token=")[1].split()[0] for _, _, body in world.mailer.sent)
    await accounts.verify_email(world.svc, token_a)
    with pytest.raises(InvalidToken):
        await accounts.verify_email(world.svc, token_a)
    world.clock.advance(hours=25)
    with pytest.raises(InvalidToken):
        await accounts.verify_email(world.svc, token_b)


async def test_unverified_account_cannot_use_the_api(world: World) -> None:
    await accounts.sign_up(world.svc, "a@example.test", "0123456789")
    with pytest.raises(EmailNotVerified):
        await accounts.authenticate_password(world.svc, "a@example.test", "0123456789")
    with pytest.raises(Unauthorized):
        await accounts.authenticate_password(world.svc, "a@example.test", "wrong-password")
    with pytest.raises(Unauthorized):
        await accounts.authenticate_password(world.svc, "nobody@example.test", "0123456789")


async def test_api_key_works_until_revoked(world: World) -> None:
    account = await verified_account(world)
    key, plaintext = await api_keys.create_api_key(world.svc, account, None)
    assert plaintext.startswith("oh_") and key.key_hash != plaintext
    assert (await accounts.authenticate_api_key(world.svc, plaintext)).id == account.id
    await api_keys.revoke_api_key(world.svc, account, key.id)
    with pytest.raises(Unauthorized):
        await accounts.authenticate_api_key(world.svc, plaintext)


async def test_custom_provider_needs_its_urls(world: World) -> None:
    account = await verified_account(world)
    with pytest.raises(InvalidRequest, match=r"^authorization_url:"):
        await providers.enable_provider(world.svc, account, "mine", providers.ProviderInput("id", "secret"))
    plain_http = providers.ProviderInput(
        "id", "secret", authorization_url="http://idp.test/a", token_url="https://idp.test/t"
    )
    with pytest.raises(InvalidRequest, match="https"):
        await providers.enable_provider(world.svc, account, "mine", plain_http)


async def test_catalog_provider_refuses_custom_urls_and_uses_default_scopes(world: World) -> None:
    account = await verified_account(world)
    with pytest.raises(InvalidRequest, match=r"^token_url:"):
        await providers.enable_provider(
            world.svc, account, "cataloged", providers.ProviderInput("id", "s", token_url="https://x.test")
        )
    config = await providers.enable_provider(world.svc, account, "cataloged", providers.ProviderInput("id", "s"))
    assert config.scopes == ("a", "b")


async def test_update_keeps_connections_created_at_and_secret(world: World) -> None:
    account = await verified_account(world)
    await connected(world, account)
    first = await providers.get_provider(world.svc, account, "custom")
    world.clock.advance(minutes=1)
    update = providers.ProviderInput(
        "cid2", None, "read,write", authorization_url=CUSTOM.authorization_url, token_url=CUSTOM.token_url
    )
    second = await providers.enable_provider(world.svc, account, "custom", update)
    assert second.created_at == first.created_at and second.updated_at > first.updated_at
    assert second.credentials.client_secret == "csecret" and second.scopes == ("read", "write")
    assert len(await list_connections(world.svc, account, "custom")) == 1


async def test_disable_deletes_connections(world: World) -> None:
    account = await verified_account(world)
    await connected(world, account)
    await providers.disable_provider(world.svc, account, "custom")
    assert world.db.state.connections == {}
    with pytest.raises(ProviderNotEnabled):
        await providers.disable_provider(world.svc, account, "custom")


@pytest.mark.parametrize("name", ["Upper", "has space", "", "x" * 65, "../etc"])
async def test_provider_names(world: World, name: str) -> None:
    account = await verified_account(world)
    with pytest.raises(InvalidRequest, match=r"^provider:"):
        await providers.enable_provider(world.svc, account, name, CUSTOM)


async def test_another_accounts_provider_is_not_found(world: World) -> None:
    mine = await verified_account(world)
    theirs = await verified_account(world, "other@example.test")
    await connected(world, mine)
    with pytest.raises(ProviderNotEnabled):
        await providers.get_provider(world.svc, theirs, "custom")
    with pytest.raises(ProviderNotEnabled):
        await list_connections(world.svc, theirs, "custom")


async def test_unsent_verification_mail_forgets_the_account(world: World) -> None:
    world.mailer.failure = MailUnavailable()
    with pytest.raises(MailUnavailable):
        await accounts.sign_up(world.svc, "a@example.test", "0123456789")
    assert world.db.state.accounts == {} and world.db.state.verifications == {}
    world.mailer.failure = None
    await accounts.sign_up(world.svc, "a@example.test", "0123456789")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"authorization_params": {"state": "fixed"}}, "authorization_params.state"),
        ({"authorization_params": {"redirect_uri": "https://evil.test"}}, "authorization_params.redirect_uri"),
        ({"authorization_url": "https://idp.test/{tenant}/authorize"}, "authorization_url"),
        ({"token_url": "https://idp.test:99999/token"}, "token_url"),
        ({"client_id": "cid\x00"}, "client_id"),
    ],
)
async def test_custom_provider_input_that_would_break_the_flow_is_refused(
    world: World, change: dict[str, object], field: str
) -> None:
    account = await verified_account(world)
    with pytest.raises(InvalidRequest, match=rf"^{re.escape(field)}:"):
        await providers.enable_provider(world.svc, account, "mine", replace(CUSTOM, **change))  # type: ignore[arg-type]


async def test_catalog_provider_refuses_authorization_params(world: World) -> None:
    account = await verified_account(world)
    given = providers.ProviderInput("id", "s", authorization_params={"prompt": "none"})
    with pytest.raises(InvalidRequest, match=r"^authorization_params:"):
        await providers.enable_provider(world.svc, account, "cataloged", given)
