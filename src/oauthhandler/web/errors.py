"""The one place domain and framework errors become HTTP: {"error","detail"} JSON, or a page for browsers."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from oauthhandler.domain import errors as e
from oauthhandler.web.schemas import field_error

log = logging.getLogger("oauthhandler.web")

STATUS: dict[type[e.DomainError], int] = {
    e.InvalidRequest: 422,
    e.Unauthorized: 401,
    e.EmailTaken: 409,
    e.EmailNotVerified: 403,
    e.InvalidToken: 400,
    e.NotFound: 404,
    e.ConnectLinkGone: 410,
    e.InvalidState: 400,
    e.AuthorizationFailed: 400,
    e.ReauthorizationRequired: 409,
    e.ProviderUnavailable: 502,
    e.GrantRejected: 502,
    e.AuthModeNotSupported: 422,
    e.MailUnavailable: 503,
}

_HTTP_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def status_of(error: e.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """Browser routes answer with pages unless the caller asks for JSON."""
    handler = request.scope.get("route_handler")  # absent when no route matched (404, 405)
    if handler is None or not handler.opt.get("browser"):
        return False
    accept = request.headers.get("accept", "")
    return "application/json" not in accept or "text/html" in accept


def error_response(request: Request[Any, Any, Any], status: int, code: str, detail: str) -> Response[Any]:
    # Bearer only: advertising Basic would make browsers prompt for, and then replay, an account's password.
    headers = {"WWW-Authenticate": 'Bearer realm="oauthhandler"'} if status == 401 else {}
    if wants_html(request):
        return Template(
            "message.html",
            context={"title": "Something went wrong", "message": detail, "code": code},
            status_code=status,
            headers=headers,
        )
    return Response({"error": code, "detail": detail}, status_code=status, media_type=MediaType.JSON, headers=headers)


def _validation_detail(exc: ValidationException) -> str:
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if isinstance(item, dict):
            key = str(item.get("key") or "body")
            detail = field_error(str(item.get("message", "is invalid")))
            # A query or path parameter has no "$." path: name the parameter Litestar reports.
            return detail if key == "data" or not detail.startswith("body:") else f"{key}:{detail[5:]}"
    return "body: could not be read as the expected JSON object"


def on_domain_error(request: Request[Any, Any, Any], exc: e.DomainError) -> Response[Any]:
    return error_response(request, status_of(exc), exc.code, exc.detail)


def on_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc.__cause__, SerializationException):  # Litestar's 400 for a body that is not JSON
        return error_response(request, 422, "invalid_request", "body: not valid JSON")
    if isinstance(exc, ValidationException) or (exc.status_code == 400 and "body" in str(exc.detail).lower()):
        if not exc.extra and isinstance(exc, ValidationException):  # a missing query parameter: Litestar names it
            return error_response(request, 422, "invalid_request", str(exc.detail).split(" for ")[0])
        return error_response(request, 422, "invalid_request", _validation_detail(exc))  # type: ignore[arg-type]
    code = _HTTP_CODES.get(exc.status_code, "error")
    detail = exc.detail if exc.status_code < 500 else "Something went wrong on our side."
    return error_response(request, exc.status_code, code, detail)


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # The route's template, not the path: a path can hold a live connect token.
    handler = request.scope.get("route_handler")
    route = handler.handler_name if handler is not None else "an unmatched route"
    log.error("unhandled %s in %s %s", type(exc).__name__, request.method, route, exc_info=exc)
    return error_response(
        request, HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "Something went wrong on our side."
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    e.DomainError: on_domain_error,
    HTTPException: on_http_error,
    Exception: on_unexpected,
}
