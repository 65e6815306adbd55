"""Who is calling: a Bearer API key (the fast way), HTTP Basic, or the seed routes' form login creds."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from litestar import Request

from oauthhandler.domain.access_token import get_access_token, get_access_token_for_key
from oauthhandler.domain.accounts import authenticate_api_key, authenticate_password
from oauthhandler.domain.errors import Unauthorized
from oauthhandler.domain.model import Account, IssuedToken
from oauthhandler.domain.services import Services


def bearer_key(request: Request[Any, Any, Any]) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


async def token_for(
    request: Request[Any, Any, Any], svc: Services, provider: str, end_user_id: str, force_refresh: bool
) -> IssuedToken:
    """A Bearer key takes the one-read hot path; Basic auth is checked first (slow by design)."""
    key = bearer_key(request)
    if key is not None:
        return await get_access_token_for_key(svc, key, provider, end_user_id, force_refresh=force_refresh)
    account = await caller(request, svc)
    return await get_access_token(svc, account, provider, end_user_id, force_refresh=force_refresh)


async def caller(
    request: Request[Any, Any, Any], svc: Services, *, email: str | None = None, password: str | None = None
) -> Account:
    """Who is calling: a Bearer API key, HTTP Basic email and password, or (seed routes) form login creds."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    scheme, value = scheme.lower(), value.strip()
    if scheme == "bearer" and value:
        return await authenticate_api_key(svc, value)
    if scheme == "basic" and value:
        try:
            login, _, secret = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized() from None
        return await authenticate_password(svc, login, secret)
    if email and password and not scheme:
        return await authenticate_password(svc, email, password)
    raise Unauthorized()


async def provide_account(request: Request[Any, Any, Any], svc: Services) -> Account:
    """The dependency every /api/v1 route takes."""
    return await caller(request, svc)
