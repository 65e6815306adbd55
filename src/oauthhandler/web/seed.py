"""The seed-named routes: /signup, /verify-email, /enable-provider, /get-access-token (JSON or form)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Template
from litestar.status_codes import HTTP_201_CREATED

from oauthhandler.domain import access_token, accounts, providers
from oauthhandler.domain.services import Services
from oauthhandler.web.api import provider_input
from oauthhandler.web.auth import caller, token_for
from oauthhandler.web.bodies import read_fields
from oauthhandler.web.errors import wants_html
from oauthhandler.web.schemas import (
    AccountOut,
    EnableProviderIn,
    GetTokenIn,
    ProviderOut,
    SignupIn,
    TokenOut,
    convert,
)
from oauthhandler.web.views import NO_STORE, provider_out, token_out


@post("/signup", status_code=HTTP_201_CREATED, tags=["Accounts"], summary="Sign up (JSON or form)")
async def signup(request: Request[Any, Any, Any], svc: Services) -> AccountOut:
    data = convert(await read_fields(request), SignupIn)
    account = await accounts.sign_up(svc, data.email, data.password)
    return AccountOut(account.id, account.email, account.email_verified)


@get(
    "/verify-email",
    tags=["Accounts"],
    summary="Verify an email (HTML, or JSON on Accept)",
    opt={"browser": True},
)
async def verify_email(request: Request[Any, Any, Any], svc: Services, token: str = "") -> Response[Any]:
    account = await accounts.verify_email(svc, token)
    if wants_html(request):
        return Template(
            "message.html",
            context={
                "title": "Email verified",
                "message": f"{account.email} is verified. You can log in now.",
            },
        )
    return Response(AccountOut(account.id, account.email, True))


@post("/enable-provider", status_code=200, tags=["Seed"], summary="Enable or update a provider (JSON or form)")
async def enable_provider(request: Request[Any, Any, Any], svc: Services) -> ProviderOut:
    data = convert(await read_fields(request), EnableProviderIn)
    account = await caller(request, svc, email=data.email, password=data.password)
    config = await providers.enable_provider(svc, account, data.provider, provider_input(data))
    return provider_out(config, svc.policy)


@get("/get-access-token", cache_control=NO_STORE, tags=["Seed"], summary="A working access token")
async def get_access_token(
    request: Request[Any, Any, Any],
    svc: Services,
    provider: str,
    end_user_id: str,
    force_refresh: bool = False,
) -> TokenOut:
    return token_out(await token_for(request, svc, provider, end_user_id, force_refresh))


@post(
    "/get-access-token",
    status_code=200,
    cache_control=NO_STORE,
    tags=["Seed"],
    summary="A working access token (form, login creds)",
)
async def post_access_token(request: Request[Any, Any, Any], svc: Services) -> TokenOut:
    data = convert(await read_fields(request), GetTokenIn)
    account = await caller(request, svc, email=data.email, password=data.password)
    issued = await access_token.get_access_token(
        svc, account, data.provider, data.end_user_id, force_refresh=data.force_refresh
    )
    return token_out(issued)


SEED_ROUTES = [signup, verify_email, enable_provider, get_access_token, post_access_token]
