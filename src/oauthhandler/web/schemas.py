"""Request and response shapes of the JSON API (msgspec Structs; never table models)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TypeVar

import msgspec
from msgspec import Struct

from oauthhandler.domain.errors import InvalidRequest


class SignupIn(Struct, forbid_unknown_fields=True):
    email: str
    password: str


class AccountOut(Struct):
    id: str
    email: str
    email_verified: bool


class ApiKeyIn(Struct, forbid_unknown_fields=True):
    name: str | None = None


class ApiKeyOut(Struct):
    id: str
    name: str
    created_at: datetime


class ApiKeyCreated(Struct):
    id: str
    name: str
    key: str
    created_at: datetime


class CatalogEntryOut(Struct):
    name: str
    display_name: str
    auth_mode: str
    default_scopes: list[str]


class ProviderIn(Struct, forbid_unknown_fields=True, kw_only=True):
    client_id: str | None = None
    client_secret: str | None = None
    scopes: str | list[str] | None = None
    redirect_url: str | None = None
    api_key: str | None = None
    api_secret: str | None = None
    authorization_url: str | None = None
    token_url: str | None = None
    revocation_url: str | None = None
    token_auth_method: str | None = None
    pkce: bool | None = None
    authorization_params: dict[str, str] = {}


class EnableProviderIn(ProviderIn, kw_only=True):
    """The seed-named /enable-provider: the same fields, the provider's name, and optional login creds."""

    provider: str
    email: str | None = None
    password: str | None = None


class ProviderOut(Struct):
    name: str
    callback_url: str
    scopes: list[str]
    redirect_url: str | None
    created_at: datetime
    updated_at: datetime


class AuthorizeIn(Struct, forbid_unknown_fields=True):
    end_user_id: str
    redirect_url: str | None = None
    connection_config: dict[str, str] | None = None


class ConnectLinkOut(Struct):
    connect_url: str
    expires_at: datetime


class ConnectionOut(Struct):
    end_user_id: str
    status: str
    scopes: list[str]
    expires_at: datetime | None
    created_at: datetime
    updated_at: datetime
    last_refreshed_at: datetime | None


class TokenOut(Struct):
    access_token: str
    token_type: str
    expires_at: datetime | None
    scopes: list[str]
    refreshed: bool


class GetTokenIn(Struct, forbid_unknown_fields=True):
    provider: str
    end_user_id: str
    force_refresh: bool = False
    email: str | None = None
    password: str | None = None


class StatusOut(Struct):
    status: str


T = TypeVar("T")


_NAMED = re.compile(r"(unknown|missing required) field `([^`]+)`")
_AT = re.compile(r"at `\$\.([^`\[]+)")


def field_error(message: str) -> str:
    """A msgspec validation message as '<field>: <what is wrong>', the field named first."""
    at = _AT.search(message)
    prefix = f"{at.group(1)}." if at else ""
    named = _NAMED.search(message)
    if named:
        return f"{prefix}{named.group(2)}: {'unknown field' if named.group(1) == 'unknown' else 'required'}"
    return f"{at.group(1) if at else 'body'}: {message.split(' - at ')[0]}"


def convert(data: object, kind: type[T]) -> T:
    """Validate a decoded body (JSON or form) into a Struct; a bad field is a 422 naming it."""
    try:
        return msgspec.convert(data, kind, strict=False)
    except msgspec.ValidationError as exc:
        raise InvalidRequest(field_error(str(exc))) from None
