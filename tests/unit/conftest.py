"""Domain tests: the use-cases against in-memory fakes of the ports."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from oauthhandler.domain import accounts, authorization, providers
from oauthhandler.domain.model import Account, AuthMode, ConnectionConfigField, Policy, ProviderSpec
from oauthhandler.domain.services import Services
from tests.support.fakes import (
    FakeClock,
    FakeHasher,
    FakeMailer,
    FakeProviderClient,
    InMemoryDatabase,
    InMemoryRefreshLock,
    StaticCatalog,
)

SHOPLIKE = ProviderSpec(
    name="shoplike",
    display_name="Shoplike",
    authorization_url="https://{shop}.shop.test/authorize",
    token_url="https://{shop}.shop.test/token",
    pkce=False,
    connection_config=(ConnectionConfigField("shop", r"[a-z0-9][a-z0-9-]*"),),
)
CATALOGED = ProviderSpec(
    name="cataloged",
    display_name="Cataloged",
    authorization_url="https://cataloged.test/authorize",
    token_url="https://cataloged.test/token",
    default_scopes=("a", "b"),
    issuer="https://cataloged.test",
    reauthorization_errors=("invalid_grant", "token_revoked"),
)

OAUTH1ISH = ProviderSpec(
    name="oauth1ish",
    display_name="OAuth 1",
    authorization_url="https://o1.test/authorize",
    token_url="https://o1.test/access_token",
    auth_mode=AuthMode.OAUTH1,
)


@dataclass
class World:
    svc: Services
    db: InMemoryDatabase
    clock: FakeClock
    oauth: FakeProviderClient
    mailer: FakeMailer


@pytest.fixture
def world() -> World:
    clock = FakeClock()
    db, oauth, mailer = InMemoryDatabase(), FakeProviderClient(clock), FakeMailer()
    svc = Services(
        db=db,
        clock=clock,
        hasher=FakeHasher(),
        mailer=mailer,
        catalog=StaticCatalog(SHOPLIKE, CATALOGED, OAUTH1ISH),
        oauth=oauth,
        refresh_lock=InMemoryRefreshLock(),
        policy=Policy(public_url="https://oauth.test"),
    )
    return World(svc, db, clock, oauth, mailer)


async def verified_account(world: World, email: str = "dev@example.test") -> Account:
    await accounts.sign_up(world.svc, email, "0123456789")
    token = world.mailer.sent[-1][2].split("token=")[1].split()[0]
    return await accounts.verify_email(world.svc, token)


CUSTOM = providers.ProviderInput(
    client_id="cid",
    client_secret="csecret",
    redirect_url="https://app.test/done",
    authorization_url="https://custom.test/authorize",
    token_url="https://custom.test/token",
)


async def connected(world: World, account: Account, provider: str = "custom", end_user_id: str = "u1") -> str:
    """Enable (if needed) and connect an end user through link, state and callback; the flow's state."""
    if (account.id, provider) not in world.db.state.providers:
        await providers.enable_provider(world.svc, account, provider, CUSTOM)
    link = await authorization.start_authorization(world.svc, account, provider, end_user_id)
    start = await authorization.open_connect_link(world.svc, link.url.rsplit("/", 1)[1])
    await authorization.complete_authorization(
        world.svc, authorization.CallbackParams(state=start.state, code="the-code"), start.browser_nonce
    )
    return start.state
