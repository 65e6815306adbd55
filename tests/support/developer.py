"""A developer using the service over HTTP: signs up through the mail, holds an API key, connects end users."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.authserver import LoopbackAuthServer
from tests.support.service import ServiceProcess
from tests.support.smtp import LoopbackSmtpServer

PASSWORD = "correct horse battery staple"
_serial = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_serial)}"


@dataclass
class Developer:
    service: ServiceProcess
    email: str
    key: str
    password: str = PASSWORD
    clients: dict[str, str] = field(default_factory=dict)

    @property
    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.service.base_url, headers={"Authorization": f"Bearer {self.key}"}, timeout=30)

    def enable_loopback(
        self, auth: LoopbackAuthServer, name: str | None = None, *, require_pkce: bool = True, **fields: Any
    ) -> str:
        """Register an OAuth app at the loopback server and enable it here as a custom provider."""
        name = name or unique("loopy")
        client_id, secret = unique("client-"), unique("secret-") + "-Zq8"
        auth.register_client(
            client_id,
            secret,
            [f"{self.service.base_url}/authorization-success"],
            require_pkce=require_pkce,
            token_endpoint_auth_method=fields.get("token_auth_method", "client_secret_basic"),
        )
        body = {
            "client_id": client_id,
            "client_secret": secret,
            "scopes": "read write",
            "redirect_url": "http://app.example.test/oauth/done",
            "authorization_url": auth.authorization_url,
            "token_url": auth.token_url,
            "revocation_url": auth.revocation_url,
            **fields,
        }
        with self.api as api:
            response = api.put(f"/api/v1/providers/{name}", json=body)
        assert response.status_code == 200, response.text
        self.clients[name] = client_id
        return name

    def connect_url(self, provider: str, end_user_id: str, **fields: Any) -> str:
        with self.api as api:
            response = api.post(f"/api/v1/providers/{provider}/authorize", json={"end_user_id": end_user_id, **fields})
        assert response.status_code == 201, response.text
        return str(response.json()["connect_url"])

    def connect(
        self, auth: LoopbackAuthServer, provider: str, end_user_id: str, *, allow: bool = True
    ) -> httpx.Response:
        """The end user's browser: connect link -> provider consent -> callback. Returns the callback's answer."""
        with httpx.Client(timeout=30) as browser:
            started = browser.get(self.connect_url(provider, end_user_id))
            assert started.status_code == 302, started.text
            back = auth.approve(started.headers["location"], allow=allow)
            return browser.get(back)

    def token(self, provider: str, end_user_id: str, **params: Any) -> httpx.Response:
        with self.api as api:
            return api.get(f"/api/v1/providers/{provider}/connections/{end_user_id}/token", params=params)


def sign_up(service: ServiceProcess, smtp: LoopbackSmtpServer) -> Developer:
    """Form signup -> the verification mail -> verify -> an API key (through HTTP Basic)."""
    email = f"{unique('dev')}@example.test"
    with httpx.Client(base_url=service.base_url, timeout=30) as http:
        created = http.post("/signup", data={"email": email, "password": PASSWORD})
        assert created.status_code == 201, created.text
        verified = http.get(smtp.link_in_mail_to(email), headers={"Accept": "application/json"})
        assert verified.status_code == 200, verified.text
        key = http.post("/api/v1/api-keys", auth=(email, PASSWORD), json={"name": "tests"})
        assert key.status_code == 201, key.text
    return Developer(service, email, key.json()["key"])
