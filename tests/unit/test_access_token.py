"""get_access_token: one read when fresh, one refresh when expiring, and never a lost refresh token."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from oauthhandler.domain.access_token import get_access_token
from oauthhandler.domain.connections import get_connection
from oauthhandler.domain.errors import GrantRejected, ProviderUnavailable, ReauthorizationRequired
from oauthhandler.domain.model import ConnectionStatus
from tests.unit.conftest import World, connected, verified_account


async def test_fresh_token_is_handed_out_without_refresh(world: World) -> None:
    account = await verified_account(world)
    await connected(world, account)
    issued = await get_access_token(world.svc, account, "custom", "u1")
    assert (issued.tokens.access_token, issued.refreshed) == ("access-1", False)
    assert world.oauth.refreshes == []


async def test_token_within_margin_is_refreshed_and_rotation_stored(world: World) -> None:
    account = await verified_account(world)
    await connected(world, account)
    world.clock.advance(minutes=56)  # 4 minutes left, inside the 5-minute margin
    issued = await get_access_token(world.svc, account, "custom", "u1")
    assert (issued.tokens.access_token, issued.refreshed) == ("access-2", True)
    assert world.oauth.refreshes == ["refresh-1"]
    stored = await get_connection(world.svc, account, "custom", "u1")
    assert stored.tokens.refresh_token == "refresh-2"
    assert stored.last_refreshed_at == world.clock.now()


async def test_force_refresh_refreshes_a_fresh_token(world: World) -> None:
    account = await verified_account(world)
    await connected(world, account)
    issued = await get_access_token(world.svc, account, "custom", "u1", force_refresh=True)
    assert issued.refreshed and world.oauth.refreshes == ["refresh-1"]


async def test_response_without_refresh_token_keeps_the_old_one(world: World) -> None:
    account = await verified_account(world)
    await connected(world, account)
    world.oauth.rotate = False
    await get_access_token(world.svc, account, "custom", "u1", force_refresh=True)
    await get_access_token(world.svc, account, "custom", "u1", force_refresh=True)
    assert world.oauth.refreshes == ["refresh-1", "refresh-1"]


async def test_invalid_grant_marks_needs_reauthorization_until_reconnected(world: World) -> None:
    account = await verified_account(world)
    await connected(world, account)
    world.oauth.refresh_failure = GrantRejected("invalid_grant")
    with pytest.raises(ReauthorizationRequired):
        await get_access_token(world.svc, account, "custom", "u1", force_refresh=True)
    assert (await get_connection(world.svc, account, "custom", "u1")).status == ConnectionStatus.NEEDS_REAUTHORIZATION
    with pytest.raises(ReauthorizationRequired):
        await get_access_token(world.svc, account, "custom", "u1")
    assert len(world.oauth.refreshes) == 1  # the provider is not asked again
    world.oauth.refresh_failure = None
    await connected(world, account)
    assert (await get_access_token(world.svc, account, "custom", "u1")).tokens.access_token == "access-2"


async def test_other_provider_error_is_not_a_reauthorization(world: World) -> None:
    account = await verified_account(world)
    await connected(world, account)
    world.oauth.refresh_failure = GrantRejected("temporarily_unavailable")
    world.clock.advance(hours=2)
    with pytest.raises(ProviderUnavailable):
        await get_access_token(world.svc, account, "custom", "u1")
    assert (await get_connection(world.svc, account, "custom", "u1")).status == ConnectionStatus.ACTIVE


async def test_unavailable_provider_hands_out_the_still_valid_token(world: World) -> None:
    account = await verified_account(world)
    await connected(world, account)
    world.oauth.refresh_failure = ProviderUnavailable()
    world.clock.advance(minutes=58)
    issued = await get_access_token(world.svc, account, "custom", "u1")
    assert (issued.tokens.access_token, issued.refreshed) == ("access-1", False)


async def test_unavailable_provider_and_expired_token_is_502_and_nothing_changes(world: World) -> None:
    account = await verified_account(world)
    await connected(world, account)
    before = await get_connection(world.svc, account, "custom", "u1")
    world.oauth.refresh_failure = ProviderUnavailable()
    world.clock.advance(hours=2)
    with pytest.raises(ProviderUnavailable):
        await get_access_token(world.svc, account, "custom", "u1")
    assert await get_connection(world.svc, account, "custom", "u1") == before
    world.oauth.refresh_failure = None
    assert (await get_access_token(world.svc, account, "custom", "u1")).tokens.access_token == "access-2"
    assert world.oauth.refreshes == ["refresh-1", "refresh-1"]


async def test_expired_token_without_refresh_token_needs_reauthorization(world: World) -> None:
    account = await verified_account(world)
    world.oauth.issue = lambda refresh=True, issue=world.oauth.issue: issue(refresh=False)  # type: ignore[method-assign]
    await connected(world, account)
    world.clock.advance(hours=2)
    with pytest.raises(ReauthorizationRequired):
        await get_access_token(world.svc, account, "custom", "u1")


async def test_fifty_concurrent_callers_cause_one_refresh(world: World) -> None:
    account = await verified_account(world)
    await connected(world, account)
    world.clock.advance(hours=2)
    world.oauth.refresh_delay = 0.01
    issued = await asyncio.gather(*(get_access_token(world.svc, account, "custom", "u1") for _ in range(50)))
    assert world.oauth.refreshes == ["refresh-1"]
    assert {i.tokens.access_token for i in issued} == {"access-2"}
    assert all(i.refreshed for i in issued)


async def test_a_refusal_that_is_not_a_reauthorization_hands_out_the_valid_token(world: World) -> None:
    account = await verified_account(world)
    await connected(world, account)
    world.oauth.refresh_failure = GrantRejected("invalid_client")
    issued = await get_access_token(world.svc, account, "custom", "u1", force_refresh=True)
    assert (issued.tokens.access_token, issued.refreshed) == ("access-1", False)


async def test_a_failing_write_after_a_refresh_is_retried_so_the_rotated_token_is_kept(world: World) -> None:
    account = await verified_account(world)
    await connected(world, account)
    world.db.state.faults.failing_writes = 2
    issued = await get_access_token(world.svc, account, "custom", "u1", force_refresh=True)
    assert issued.tokens.refresh_token == "refresh-2"
    assert (await get_connection(world.svc, account, "custom", "u1")).tokens.refresh_token == "refresh-2"


async def test_a_caller_hanging_up_does_not_stop_a_refresh_from_being_stored(world: World) -> None:
    account = await verified_account(world)
    await connected(world, account)
    world.oauth.refresh_delay = 0.05
    caller = asyncio.create_task(get_access_token(world.svc, account, "custom", "u1", force_refresh=True))
    await asyncio.sleep(0.01)
    caller.cancel()
    await asyncio.sleep(0.1)
    assert (await get_connection(world.svc, account, "custom", "u1")).tokens.refresh_token == "refresh-2"


async def test_short_lived_tokens_are_refreshed_at_half_life_not_on_every_request(world: World) -> None:
    account = await verified_account(world)
    world.oauth.lifetime = timedelta(minutes=2)  # shorter than the 5-minute margin
    await connected(world, account)
    assert not (await get_access_token(world.svc, account, "custom", "u1")).refreshed
    world.clock.advance(seconds=61)
    assert (await get_access_token(world.svc, account, "custom", "u1")).refreshed
    assert not (await get_access_token(world.svc, account, "custom", "u1")).refreshed
