"""Use-cases: create, list and revoke an account's API keys. Only the key's SHA-256 is stored."""

from __future__ import annotations

from oauthhandler.domain.errors import ApiKeyNotFound, InvalidRequest
from oauthhandler.domain.model import Account, ApiKey
from oauthhandler.domain.randomness import digest, new_id, new_token
from oauthhandler.domain.services import Services

KEY_PREFIX = "oh_"


async def create_api_key(svc: Services, account: Account, name: str | None) -> tuple[ApiKey, str]:
    """A new key; the plaintext is returned once and never stored."""
    name = (name or "default").strip()
    if not 1 <= len(name) <= 100:
        raise InvalidRequest("name: must be 1 to 100 characters")
    plaintext = KEY_PREFIX + new_token()
    key = ApiKey(new_id(), account.id, name, digest(plaintext), svc.clock.now())
    async with svc.db.transaction() as uow:
        await uow.api_keys.add(key)
        await uow.commit()
    return key, plaintext


async def list_api_keys(svc: Services, account: Account) -> list[ApiKey]:
    async with svc.db.read() as uow:
        return await uow.api_keys.list(account.id)


async def revoke_api_key(svc: Services, account: Account, key_id: str) -> None:
    """Revoke at once: the next request with the key is refused."""
    async with svc.db.transaction() as uow:
        if not await uow.api_keys.revoke(account.id, key_id, svc.clock.now()):
            raise ApiKeyNotFound()
        await uow.commit()
