"""URL rules the domain enforces: absolute http(s), https unless loopback, and same-origin checks."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit, urlunsplit

from oauthhandler.domain.errors import InvalidRequest

_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def check_url(field: str, value: str, *, require_https: bool = False) -> str:
    """An absolute http(s) URL; `require_https` allows plain http only on loopback."""
    if _UNSAFE.search(value):
        raise InvalidRequest(f"{field}: must not contain control characters, spaces or backslashes")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise InvalidRequest(f"{field}: not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest(f"{field}: must be an absolute http(s) URL")
    if require_https and parts.scheme != "https" and parts.hostname not in _LOOPBACK:
        raise InvalidRequest(f"{field}: must use https")
    return value


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def same_origin(a: str, b: str) -> bool:
    return origin(a) == origin(b)


def with_query(url: str, params: dict[str, str]) -> str:
    """The URL with params appended to its query string."""
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
