"""Self-checks for the loopback Authlib authorization server used by adapter tests."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.support.authserver import LoopbackAuthServer

REDIRECT = "http://127.0.0.1:9/callback"


def _pkce() -> tuple[str, str]:
    """Return a (verifier, S256 challenge) pair."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _authorize_url(server: LoopbackAuthServer, challenge: str, client_id: str = "app") -> str:
    """Build an authorization URL with PKCE."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": "read",
        "state": "st4te",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{server.authorization_url}?{urlencode(params)}"


def _query(location: str) -> dict[str, str]:
    """Parse the query of a redirect Location."""
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _get_code(server: LoopbackAuthServer, verifier_challenge: tuple[str, str], client_id: str = "app") -> str:
    """Run the consent step and return the authorization code."""
    return _query(server.approve(_authorize_url(server, verifier_challenge[1], client_id)))["code"]


def _exchange(server: LoopbackAuthServer, code: str, verifier: str) -> httpx.Response:
    """Exchange a code at the token endpoint with client_secret_basic."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    return httpx.post(server.token_url, data=data, auth=("app", "s3cret"))


def _refresh(server: LoopbackAuthServer, refresh_token: str) -> httpx.Response:
    """Use a refresh token with client_secret_basic."""
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return httpx.post(server.token_url, data=data, auth=("app", "s3cret"))


@pytest.fixture
def server() -> Iterator[LoopbackAuthServer]:
    with LoopbackAuthServer() as srv:
        srv.register_client("app", "s3cret", [REDIRECT])
        srv.register_client(
            "post-app",
            "p0st",
            [REDIRECT],
            token_endpoint_auth_method="client_secret_post",
            require_pkce=False,
        )
        yield srv


def test_code_flow_with_pkce_through_consent_form(server: LoopbackAuthServer) -> None:
    verifier, challenge = _pkce()
    page = httpx.get(_authorize_url(server, challenge))
    assert page.status_code == 200 and "Allow" in page.text and "Deny" in page.text
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))
    resp = httpx.post(server.authorization_url, data={**fields, "confirm": "yes"})
    assert resp.status_code == 302
    params = _query(resp.headers["location"])
    assert resp.headers["location"].startswith(REDIRECT) and params["state"] == "st4te"
    assert "iss" not in params

    bad = _exchange(server, params["code"], "x" * 50)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    code = _get_code(server, (verifier, challenge))
    tok = _exchange(server, code, verifier)
    assert tok.status_code == 200, tok.text
    body = tok.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["refresh_token"]
    me = httpx.get(server.resource_url, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json() == {
        "sub": "1",
        "name": "alice",
        "client_id": "app",
        "scope": "read",
    }
    again = _exchange(server, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    (record,) = server.token_requests("authorization_code")[-1:]
    assert record["client_id"] == "app" and "code_verifier=" in record["body"]
    assert len(server.token_requests()) == 3


def test_deny_and_missing_pkce(server: LoopbackAuthServer) -> None:
    denied = _query(server.approve(_authorize_url(server, _pkce()[1]), allow=False))
    assert denied["error"] == "access_denied" and denied["state"] == "st4te"
    url = f"{server.authorization_url}?response_type=code&client_id=app&redirect_uri={REDIRECT}&state=s"
    assert _query(httpx.get(url).headers["location"])["error"] == "invalid_request"
    url = url.replace("client_id=app", "client_id=post-app")
    assert httpx.get(url).status_code == 200


def test_client_secret_post_and_auto_approve(server: LoopbackAuthServer) -> None:
    server.auto_approve = True
    pair = _pkce()
    code = _get_code(server, pair, "post-app")
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": pair[0],
    }
    basic = httpx.post(server.token_url, data=data, auth=("post-app", "p0st"))
    assert basic.status_code == 401 and basic.json()["error"] == "invalid_client"
    ok = httpx.post(server.token_url, data={**data, "client_id": "post-app", "client_secret": "p0st"})
    assert ok.status_code == 200, ok.text
    revoke = httpx.post(
        server.revocation_url,
        data={"token": ok.json()["access_token"], "client_id": "post-app", "client_secret": "p0st"},
    )
    assert revoke.status_code == 200 and server.revoked_tokens == [ok.json()["access_token"]]
    me = httpx.get(server.resource_url, headers={"Authorization": f"Bearer {ok.json()['access_token']}"})
    assert me.status_code == 401


def test_refresh_rotation_rejects_old_refresh_token(server: LoopbackAuthServer) -> None:
    pair = _pkce()
    first = _exchange(server, _get_code(server, pair), pair[0]).json()
    second = _refresh(server, first["refresh_token"])
    assert second.status_code == 200 and second.json()["refresh_token"] != first["refresh_token"]
    old = _refresh(server, first["refresh_token"])
    assert old.status_code == 400 and old.json()["error"] == "invalid_grant"
    server.rotate_refresh_tokens = False
    third = _refresh(server, second.json()["refresh_token"])
    assert third.status_code == 200 and "refresh_token" not in third.json()
    assert _refresh(server, second.json()["refresh_token"]).status_code == 200
    assert len(server.token_requests("refresh_token")) == 4
    revoke = httpx.post(server.revocation_url, data={"token": second.json()["refresh_token"]}, auth=("app", "s3cret"))
    assert revoke.status_code == 200
    assert _refresh(server, second.json()["refresh_token"]).json()["error"] == "invalid_grant"


def test_expired_access_token_is_rejected(server: LoopbackAuthServer) -> None:
    server.access_token_lifetime = 1
    server.omit_expires_in = True
    pair = _pkce()
    body = _exchange(server, _get_code(server, pair), pair[0]).json()
    assert "expires_in" not in body
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert httpx.get(server.resource_url, headers=headers).status_code == 200
    time.sleep(1.5)
    assert httpx.get(server.resource_url, headers=headers).status_code == 401
    assert httpx.get(server.resource_url, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_failure_modes(server: LoopbackAuthServer) -> None:
    pair = _pkce()
    refresh_token = _exchange(server, _get_code(server, pair), pair[0]).json()["refresh_token"]
    server.fail_next_token_requests("http_500")
    resp = _refresh(server, refresh_token)
    assert resp.status_code == 500 and resp.text.startswith("<html>")
    server.fail_next_token_requests("garbage")
    resp = _refresh(server, refresh_token)
    assert resp.status_code == 200
    with pytest.raises(ValueError):
        resp.json()
    server.fail_next_token_requests("invalid_grant")
    resp = _refresh(server, refresh_token)
    assert resp.status_code == 400 and resp.json() == {"error": "invalid_grant"}
    server.fail_next_token_requests("slack_error")
    resp = _refresh(server, refresh_token)
    assert resp.status_code == 200 and resp.json() == {"ok": False, "error": "invalid_refresh_token"}
    server.fail_next_token_requests("timeout", delay=1.0)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            server.token_url,
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            auth=("app", "s3cret"),
            timeout=0.3,
        )
    server.fail_next_token_requests("timeout", delay=0.3)
    start = time.monotonic()
    resp = _refresh(server, refresh_token)
    assert resp.status_code == 200 and time.monotonic() - start >= 0.3
    assert len(server.token_requests("refresh_token")) == 6
    server.reset_counters()
    assert server.token_requests() == []
    with pytest.raises(ValueError):
        server.fail_next_token_requests("nonsense")


def test_json_body_modes_and_transform(server: LoopbackAuthServer) -> None:
    pair = _pkce()
    refresh_token = _exchange(server, _get_code(server, pair), pair[0]).json()["refresh_token"]
    payload = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    rejected = httpx.post(server.token_url, json=payload, auth=("app", "s3cret"))
    assert rejected.status_code == 400
    server.json_body = "require"
    form = _refresh(server, refresh_token)
    assert form.status_code == 400 and form.json()["error"] == "invalid_request"
    server.token_response_transform = lambda t: {"ok": True, "authed_user": t}
    ok = httpx.post(server.token_url, json=payload, auth=("app", "s3cret"))
    assert ok.status_code == 200 and ok.json()["ok"] is True and ok.json()["authed_user"]["access_token"]
    record = server.token_requests("refresh_token")[-1]
    assert record["content_type"] == "application/json" and record["client_id"] == "app"
    server.json_body = "accept"
    server.token_response_transform = None
    new_refresh = ok.json()["authed_user"]["refresh_token"]
    assert _refresh(server, new_refresh).status_code == 200


def test_issuer_in_redirect() -> None:
    with LoopbackAuthServer(issuer_in_redirect=True) as srv:
        srv.register_client("app", "s3cret", [REDIRECT])
        params = _query(srv.approve(_authorize_url(srv, _pkce()[1])))
        assert params["iss"] == srv.issuer == srv.base_url and params["code"]
        denied = _query(srv.approve(_authorize_url(srv, _pkce()[1]), allow=False))
        assert denied["iss"] == srv.issuer and denied["error"] == "access_denied"
        no_pkce = f"{srv.authorization_url}?response_type=code&client_id=app&redirect_uri={REDIRECT}"
        error = _query(httpx.get(no_pkce).headers["location"])
        assert error["iss"] == srv.issuer and error["error"] == "invalid_request"
