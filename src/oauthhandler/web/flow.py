"""The end user's browser: the connect link, and the provider's redirect back to /authorization-success."""

from __future__ import annotations

import hashlib
import logging
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
log = logging.getLogger("oauthhandler.web")


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


def _page(title: str, message: str, code: str | None = None, status: int = 200) -> Response[Any]:
    return Template("message.html", status_code=status, context={"title": title, "message": message, "code": code})


async def _finish(svc: Services, params: authorization.CallbackParams, nonce: str | None) -> Response[Any]:
    try:
        result = await authorization.complete_authorization(svc, params, nonce)
    except AuthorizationFailed as failure:
        if failure.__cause__ is not None:
            log.error("connect flow failed after its state was spent", exc_info=failure.__cause__)
        if failure.redirect_url is None:
            return _page("Connection failed", failure.detail, failure.code, status=400)
        back = {"status": "error", "error": failure.code, "provider": failure.provider}
        back["end_user_id"] = failure.end_user_id
        return Redirect(with_query(failure.redirect_url, back), status_code=HTTP_303_SEE_OTHER)
    if result.redirect_url is None:
        return _page("Connected", "You can close this window now.")
    back = {"status": "success", "provider": result.provider, "end_user_id": result.end_user_id}
    return Redirect(with_query(result.redirect_url, back), status_code=HTTP_303_SEE_OTHER)


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
    cookie = flow_cookie_name(params.state) if params.state else None
    response = await _finish(svc, params, request.cookies.get(cookie) if cookie else None)
    if cookie:
        response.delete_cookie(cookie, path=CALLBACK_PATH)
    return response


FLOW_ROUTES = [connect, callback]
