"""Rules that live on domain values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from oauthhandler.domain.model import TokenSet, parse_scopes
from oauthhandler.domain.urls import same_origin, with_query

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_expires_within_margin() -> None:
    token = TokenSet("a", expires_at=NOW + timedelta(minutes=5))
    assert token.expires_within(timedelta(minutes=5), NOW)
    assert not token.expires_within(timedelta(minutes=4), NOW)
    assert not TokenSet("a").expires_within(timedelta(days=999), NOW)


def test_renewed_keeps_old_refresh_token_and_scopes_when_absent() -> None:
    old = TokenSet("a", refresh_token="r1", scopes=("read",))
    assert old.renewed_by(TokenSet("b")) == TokenSet("b", refresh_token="r1", scopes=("read",))
    assert old.renewed_by(TokenSet("b", refresh_token="r2")).refresh_token == "r2"


def test_parse_scopes() -> None:
    assert parse_scopes("a b,c  a") == ("a", "b", "c")
    assert parse_scopes(["x", "y"]) == ("x", "y")
    assert parse_scopes(None) == ()


def test_same_origin_and_query() -> None:
    assert same_origin("https://a.test/x", "https://A.test:443/y")
    assert not same_origin("https://a.test", "http://a.test")
    assert not same_origin("https://a.test", "https://a.test.evil")
    assert with_query("https://a.test/p?x=1", {"s": "a b"}) == "https://a.test/p?x=1&s=a+b"


def test_refresh_due_at_half_life_for_tokens_shorter_than_twice_the_margin() -> None:
    token = TokenSet("a", expires_at=NOW + timedelta(minutes=2), obtained_at=NOW)
    margin = timedelta(minutes=5)
    assert not token.refresh_due(margin, NOW + timedelta(seconds=59))
    assert token.refresh_due(margin, NOW + timedelta(seconds=60))
    long_lived = TokenSet("a", expires_at=NOW + timedelta(hours=1), obtained_at=NOW)
    assert long_lived.refresh_due(margin, NOW + timedelta(minutes=55))
    assert not long_lived.refresh_due(margin, NOW + timedelta(minutes=54))
