"""The whole flow over real HTTP, from form signup to a refreshed, rotated token the provider accepts."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.support.authserver import LoopbackAuthServer
from tests.support.developer import sign_up
from tests.support.service import ServiceProcess
from tests.support.smtp import LoopbackSmtpServer


def accepted_by_provider(auth: LoopbackAuthServer, token: str) -> bool:
    return httpx.get(auth.resource_url, headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_signup_to_refreshed_token(
    service_no_margin: ServiceProcess, smtp: LoopbackSmtpServer, auth: LoopbackAuthServer
) -> None:
    auth.access_token_lifetime = 2
    dev = sign_up(service_no_margin, smtp)
    provider = dev.enable_loopback(auth)

    back = dev.connect(auth, provider, "end-user-1")
    assert back.status_code == 303
    target = urlsplit(back.headers["location"])
    assert (target.scheme, target.netloc, target.path) == ("http", "app.example.test", "/oauth/done")
    assert parse_qs(target.query) == {"status": ["success"], "provider": [provider], "end_user_id": ["end-user-1"]}

    first = dev.token(provider, "end-user-1")
    assert first.status_code == 200, first.text
    assert first.json()["refreshed"] is False
    assert accepted_by_provider(auth, first.json()["access_token"])
    old_refresh = auth.token_requests("authorization_code")[-1]
    assert old_refresh["client_id"] == dev.clients[provider]

    time.sleep(2.5)  # past the token's real expiry, at the provider too
    assert not accepted_by_provider(auth, first.json()["access_token"])
    second = dev.token(provider, "end-user-1")
    assert second.status_code == 200, second.text
    assert second.json()["refreshed"] is True
    assert second.json()["access_token"] != first.json()["access_token"]
    assert accepted_by_provider(auth, second.json()["access_token"])

    # Rotation: the refresh token we used is dead at the provider now; we hold the new one.
    used = parse_qs(auth.token_requests("refresh_token")[-1]["body"])["refresh_token"][0]
    replay = httpx.post(
        auth.token_url,
        data={"grant_type": "refresh_token", "refresh_token": used},
        auth=(dev.clients[provider], _secret_of(dev, auth, provider)),
    )
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def _secret_of(dev, auth: LoopbackAuthServer, provider: str) -> str:  # type: ignore[no-untyped-def]
    return auth.clients[dev.clients[provider]].client_secret
