"""Reading a provider's token response into a TokenSet, as the catalog entry describes it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from oauthhandler.domain.errors import ProviderUnavailable
from oauthhandler.domain.model import ProviderSpec, TokenSet, parse_scopes

MAX_LIFETIME_SECONDS = 10 * 365 * 24 * 3600  # a larger expires_in is read as "ten years"


def _at_path(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for key in path.split("."):
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _expires_at(spec: ProviderSpec, body: Mapping[str, Any], now: datetime) -> datetime | None:
    value = body.get("expires_in")
    if value in (None, ""):
        lifetime = spec.default_lifetime()
        return now + lifetime if lifetime else None
    try:
        seconds = int(float(value))
    except (TypeError, ValueError, OverflowError):
        raise ProviderUnavailable("The provider sent an expires_in that is not a number.") from None
    return now + timedelta(seconds=min(max(seconds, 0), MAX_LIFETIME_SECONDS))


def token_set(spec: ProviderSpec, data: Mapping[str, Any], now: datetime) -> TokenSet:
    """The token set in a response: at the top level, or under access_token_path when the top has none."""
    body: Mapping[str, Any] = data
    if not data.get("access_token") and spec.access_token_path:
        nested = _at_path(data, spec.access_token_path)
        if isinstance(nested, Mapping):
            body = nested
    access_token = body.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise ProviderUnavailable("The provider's token response holds no access_token.")
    refresh_token = body.get("refresh_token")
    scope = body.get("scope")
    return TokenSet(
        access_token=access_token,
        token_type=str(body.get("token_type") or "bearer"),
        refresh_token=refresh_token if isinstance(refresh_token, str) and refresh_token else None,
        expires_at=_expires_at(spec, body, now),
        scopes=parse_scopes(scope) if isinstance(scope, str | list) else (),
        raw=dict(data),
        obtained_at=now,
    )
