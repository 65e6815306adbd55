"""Use-cases: list, read and disconnect an account's connections."""

from __future__ import annotations

from oauthhandler.domain.errors import ConnectionNotFound, ProviderNotEnabled, ProviderUnavailable
from oauthhandler.domain.model import Account, Connection
from oauthhandler.domain.providers import resolve_spec
from oauthhandler.domain.services import Services


async def list_connections(svc: Services, account: Account, provider: str) -> list[Connection]:
    async with svc.db.read() as uow:
        if await uow.providers.get(account.id, provider) is None:
            raise ProviderNotEnabled()
        return await uow.connections.list(account.id, provider)


async def get_connection(svc: Services, account: Account, provider: str, end_user_id: str) -> Connection:
    async with svc.db.read() as uow:
        connection = await uow.connections.get(account.id, provider, end_user_id)
    if connection is None:
        raise ConnectionNotFound()
    return connection


async def disconnect(svc: Services, account: Account, provider: str, end_user_id: str) -> bool:
    """Revoke at the provider when it can (best effort), then forget; whether the provider confirmed."""
    connection = await get_connection(svc, account, provider, end_user_id)
    async with svc.db.read() as uow:
        config = await uow.providers.get(account.id, provider)
    revoked = False
    if config is not None:
        try:
            revoked = await svc.oauth.revoke(
                resolve_spec(svc, config),
                config.credentials,
                connection.tokens,
                connection_config=connection.connection_config,
            )
        except ProviderUnavailable:
            revoked = False
    async with svc.db.transaction() as uow:
        await uow.connections.delete(connection.id)
        await uow.commit()
    return revoked
