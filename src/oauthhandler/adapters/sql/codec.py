"""Rows to domain values and back; every secret goes through the SecretBox on its way in or out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from oauthhandler.domain.model import (
    ClientCredentials,
    Connection,
    ConnectionConfigField,
    ConnectionStatus,
    ProviderConfig,
    ProviderSpec,
    TokenSet,
)
from oauthhandler.ports.services import SecretBox


class RowCodec:
    def __init__(self, box: SecretBox) -> None:
        self.box = box

    def seal(self, value: str | None) -> str | None:
        return None if value is None else self.box.encrypt(value.encode())

    def open(self, value: str | None) -> str | None:
        return None if value is None else self.box.decrypt(value).decode()

    def seal_tokens(self, tokens: TokenSet) -> str:
        data = {
            "access_token": tokens.access_token,
            "token_type": tokens.token_type,
            "refresh_token": tokens.refresh_token,
            "expires_at": tokens.expires_at.isoformat() if tokens.expires_at else None,
            "scopes": list(tokens.scopes),
            "raw": tokens.raw,
            "obtained_at": tokens.obtained_at.isoformat() if tokens.obtained_at else None,
        }
        return self.box.encrypt(msgspec.json.encode(data))

    def open_tokens(self, sealed: str) -> TokenSet:
        data = msgspec.json.decode(self.box.decrypt(sealed))
        expires_at = data["expires_at"]
        return TokenSet(
            access_token=data["access_token"],
            token_type=data["token_type"],
            refresh_token=data["refresh_token"],
            expires_at=datetime.fromisoformat(expires_at) if expires_at else None,
            scopes=tuple(data["scopes"]),
            raw=data["raw"],
            obtained_at=datetime.fromisoformat(data["obtained_at"]) if data.get("obtained_at") else None,
        )

    def connection(self, row: Any) -> Connection:
        return Connection(
            id=row.id,
            account_id=row.account_id,
            provider=row.provider,
            end_user_id=row.end_user_id,
            status=ConnectionStatus(row.status),
            tokens=self.open_tokens(row.tokens_enc),
            connection_config=dict(row.connection_config),
            created_at=row.created_at,
            updated_at=row.updated_at,
            last_refreshed_at=row.last_refreshed_at,
        )

    def provider_values(self, config: ProviderConfig) -> dict[str, Any]:
        return {
            "account_id": config.account_id,
            "name": config.name,
            "client_id": config.credentials.client_id,
            "client_secret_enc": self.seal(config.credentials.client_secret),
            "scopes": list(config.scopes),
            "redirect_url": config.redirect_url,
            "custom_spec": spec_to_json(config.custom_spec) if config.custom_spec else None,
            "api_key_enc": self.seal(config.api_key),
            "api_secret_enc": self.seal(config.api_secret),
            "created_at": config.created_at,
            "updated_at": config.updated_at,
        }

    def provider(self, row: Any) -> ProviderConfig:
        return ProviderConfig(
            account_id=row.account_id,
            name=row.name,
            credentials=ClientCredentials(row.client_id, self.open(row.client_secret_enc) or ""),
            scopes=tuple(row.scopes),
            redirect_url=row.redirect_url,
            created_at=row.created_at,
            updated_at=row.updated_at,
            custom_spec=spec_from_json(row.name, row.custom_spec) if row.custom_spec else None,
            api_key=self.open(row.api_key_enc),
            api_secret=self.open(row.api_secret_enc),
        )


def spec_to_json(spec: ProviderSpec) -> dict[str, Any]:
    """A custom provider's spec as stored (URLs and options, never credentials)."""
    return {
        "authorization_url": spec.authorization_url,
        "token_url": spec.token_url,
        "revocation_url": spec.revocation_url,
        "authorization_params": spec.authorization_params,
        "token_request_auth_method": spec.token_request_auth_method,
        "pkce": spec.pkce,
        "connection_config": [[f.name, f.pattern, f.description] for f in spec.connection_config],
    }


def spec_from_json(name: str, data: dict[str, Any]) -> ProviderSpec:
    return ProviderSpec(
        name=name,
        display_name=name,
        authorization_url=data["authorization_url"],
        token_url=data["token_url"],
        revocation_url=data.get("revocation_url"),
        authorization_params=dict(data.get("authorization_params") or {}),
        token_request_auth_method=data.get("token_request_auth_method", "client_secret_basic"),
        pkce=bool(data.get("pkce", True)),
        connection_config=tuple(ConnectionConfigField(*f) for f in data.get("connection_config", [])),
        custom=True,
    )
