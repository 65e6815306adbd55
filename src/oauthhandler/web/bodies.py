"""Bodies that may come as JSON or as form data (the seed-named routes), read into plain fields."""

from __future__ import annotations

from typing import Any

from litestar import Request

from oauthhandler.domain.errors import InvalidRequest

_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def read_fields(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The body's fields: a JSON object, or form fields (a repeated field becomes a list)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in _FORMS:
        form = await request.form()
        return {k: (vs if len(vs := form.getall(k)) > 1 else vs[0]) for k in form}
    body = await request.body()
    if not body.strip():
        return {}
    if content_type and content_type != "application/json":
        raise InvalidRequest("body: send application/json or form data")
    try:
        data = await request.json()
    except Exception:
        raise InvalidRequest("body: not valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidRequest("body: must be a JSON object")
    return data
