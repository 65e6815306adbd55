"""An httpx transport that re-encodes form token requests as JSON (catalog: body_format: json)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import httpx

_FORM = "application/x-www-form-urlencoded"


class JsonBodyTransport(httpx.AsyncBaseTransport):
    """Authlib builds form bodies; Notion and its kind want the same fields as a JSON object."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.headers.get("content-type", "").startswith(_FORM):
            body = await request.aread()
            headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-type", "content-length")}
            fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
            request = httpx.Request(
                request.method,
                request.url,
                headers=headers,
                content=json.dumps(fields).encode(),
                extensions=request.extensions,
            )
            request.headers["content-type"] = "application/json"
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        """The inner transport is shared and closed by its owner."""
