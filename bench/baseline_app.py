"""The baseline for bench/token_read.py: a bare Litestar app, one GET route answering a token-shaped object."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Litestar, get
from msgspec import Struct


class TokenOut(Struct):
    access_token: str
    token_type: str
    expires_at: datetime | None
    scopes: list[str]
    refreshed: bool


EXPIRES_AT = datetime(2030, 1, 1, tzinfo=UTC)


@get("/api/v1/providers/{name:str}/connections/{end_user_id:str}/token")
async def token(name: str, end_user_id: str) -> TokenOut:
    return TokenOut("a" * 42, "Bearer", EXPIRES_AT, ["read", "write"], False)


app = Litestar(route_handlers=[token], debug=False)
