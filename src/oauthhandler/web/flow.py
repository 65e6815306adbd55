"""The end user's browser: the connect link, and the provider's redirect back to /authorization-success."""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_302_FOUND, HTTP_303_SEE_OTHER

from oauthhandler.domain import authorization
from oauthhandler.domain.errors import AuthorizationFailed
from oauthhandler.domain.services import Services
from oauthhandler.domain.urls import with_query

CALLBACK_PATH = "/authorization-success"


def flow_cookie_name(state: str) -> str:
    """One cookie per flow, so parallel connects in one browser do not clash."""
    return "oh_flow_" + hashlib.sha256(state.encode()).hexdigest()[:16]


@get("/connect/{token:str}", opt={"browser": True}, tags=["Connect"], summary="Start the flow (single use)")
async def connect(request: Request[Any, Any, Any], svc: Services, token: str) -> Response[Any]:
    start = await authorization.open_connect_link(svc, token)
    cookie = Cookie(
        key=flow_cookie_name(start.state),
        value=start.browser_nonce,
        path=CALLBACK_PATH,
        max_age=int(svc.policy.state_ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.app.state.secure_cookies,
    )
    return Redirect(start.authorization_url, status_code=HTTP_302_FOUND, cookies=[cookie])


@get(CALLBACK_PATH, opt={"browser": True}, tags=["Connect"], summary="The provider's redirect back")
async def callback(request: Request[Any, Any, Any], svc: Services) -> Response[Any]:
    q = request.query_params
    params = authorization.CallbackParams(
        state=q.get("state"),
        code=q.get("code"),
        error=q.get("error"),
        error_description=q.get("error_description"),
        iss=q.get("iss"),
    )
    nonce = request.cookies.get(flow_cookie_name(params.state)) if params.state else None
    try:
        result = await authorization.complete_authorization(svc, params, nonce)
    except AuthorizationFailed as failure:
        if failure.redirect_url is None:
            return Template(
                "message.html",
                status_code=400,
                context={"title": "Connection failed", "message": failure.detail, "code": failure.code},
            )
        target = with_query(
            failure.redirect_url,
            {
                "status": "error",
                "error": failure.code,
                "provider": failure.provider,
                "end_user_id": failure.end_user_id,
            },
        )
        return Redirect(target, status_code=HTTP_303_SEE_OTHER)
    response: Response[Any]
    if result.redirect_url is None:
        response = Template("message.html", context={"title": "Connected", "message": "You can close this window now."})
    else:
        target = with_query(
            result.redirect_url,
            {"status": "success", "provider": result.provider, "end_user_id": result.end_user_id},
        )
        response = Redirect(target, status_code=HTTP_303_SEE_OTHER)
    if params.state:
        response.delete_cookie(flow_cookie_name(params.state), path=CALLBACK_PATH)
    return response


FLOW_ROUTES = [connect, callback]
