"""AuthlibProviderClient against a real Authlib authorization server on loopback: one case per catalog quirk."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
import pytest
import yaml

from oauthhandler.adapters.catalog_loader import YamlCatalog, parse_catalog
from oauthhandler.adapters.oauth.client import AuthlibProviderClient
from oauthhandler.domain.errors import GrantRejected, ProviderUnavailable
from oauthhandler.domain.model import ClientCredentials, ProviderSpec, TokenSet
from tests.support.authserver import LoopbackAuthServer
from tests.support.smtp import free_port

REDIRECT = "http://127.0.0.1:9/authorization-success"
CREDENTIALS = ClientCredentials("app", "s3cret")
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
VERIFIER = "v3rifier-" + "x" * 40


# -- fixtures and helpers -----------------------------------------------------------------------


@pytest.fixture
def auth() -> Iterator[LoopbackAuthServer]:
    with LoopbackAuthServer() as server:
        yield server


@pytest.fixture
async def engine() -> AsyncIterator[AuthlibProviderClient]:
    client = AuthlibProviderClient(timeout=5.0)
    yield client
    await client.aclose()


def catalog_spec(auth: LoopbackAuthServer | None = None, **entry: Any) -> ProviderSpec:
    """A ProviderSpec read the way the catalog reads one: a YAML entry through parse_catalog."""
    urls: dict[str, Any] = {}
    if auth is not None:
        urls = {
            "authorization_url": auth.authorization_url,
            "token_url": auth.token_url,
            "revocation_url": auth.revocation_url,
        }
    document = {"loopback": {"display_name": "Loopback", **urls, **entry}}
    return parse_catalog(yaml.safe_dump(document), "test entry")["loopback"]


def register(auth: LoopbackAuthServer, spec: ProviderSpec) -> None:
    auth.register_client(
        CREDENTIALS.client_id,
        CREDENTIALS.client_secret,
        [REDIRECT],
        token_endpoint_auth_method=spec.token_request_auth_method,
        require_pkce=spec.pkce,
    )


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def authorize(
    engine: AuthlibProviderClient,
    spec: ProviderSpec,
    *,
    scopes: tuple[str, ...] = ("read", "write"),
    connection_config: dict[str, str] | None = None,
    credentials: ClientCredentials = CREDENTIALS,
) -> str:
    return engine.authorization_url(
        spec,
        credentials,
        redirect_uri=REDIRECT,
        scopes=scopes,
        state="st4te",
        code_verifier=VERIFIER if spec.pkce else None,
        connection_config=connection_config or {},
    )


async def connect(
    auth: LoopbackAuthServer,
    engine: AuthlibProviderClient,
    spec: ProviderSpec,
    *,
    scopes: tuple[str, ...] = ("read", "write"),
    connection_config: dict[str, str] | None = None,
) -> TokenSet:
    """The whole authorization code flow: URL, the user's consent, the callback's code, the exchange."""
    url = authorize(engine, spec, scopes=scopes, connection_config=connection_config)
    location = await asyncio.to_thread(auth.approve, url)
    callback = query(location)
    assert location.startswith(REDIRECT)
    assert callback["state"] == "st4te"
    return await engine.exchange_code(
        spec,
        CREDENTIALS,
        code=callback["code"],
        redirect_uri=REDIRECT,
        code_verifier=VERIFIER if spec.pkce else None,
        connection_config=connection_config or {},
        now=NOW,
    )


async def refresh(engine: AuthlibProviderClient, spec: ProviderSpec, tokens: TokenSet) -> TokenSet:
    return await engine.refresh(spec, CREDENTIALS, tokens, connection_config={}, now=NOW)


async def resource_status(auth: LoopbackAuthServer, access_token: str) -> int:
    async with httpx.AsyncClient() as http:
        response = await http.get(auth.resource_url, headers={"Authorization": f"Bearer {access_token}"})
    return response.status_code


def basic_credentials(headers: dict[str, str]) -> str | None:
    value = headers.get("Authorization")
    if value is None:
        return None
    scheme, _, encoded = value.partition(" ")
    assert scheme == "Basic"
    return base64.b64decode(encoded).decode()


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


# -- authorization URL ---------------------------------------------------------------------------


def test_authorization_url_carries_client_redirect_state_and_scopes(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    url = authorize(engine, catalog_spec(auth), scopes=("read", "write"))

    assert url.startswith(auth.authorization_url + "?")
    params = query(url)
    assert params["response_type"] == "code"
    assert params["client_id"] == "app"
    assert params["redirect_uri"] == REDIRECT
    assert params["state"] == "st4te"
    assert params["scope"] == "read write"
    assert "s3cret" not in url


def test_authorization_url_joins_scopes_with_the_catalog_separator(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    slack_like = catalog_spec(auth, scope_separator=",", pkce=False)

    params = query(authorize(engine, slack_like, scopes=("chat:write", "channels:read", "users:read")))

    assert params["scope"] == "chat:write,channels:read,users:read"


def test_authorization_url_without_scopes_has_no_scope_parameter(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    assert "scope" not in query(authorize(engine, catalog_spec(auth), scopes=()))


def test_authorization_url_carries_authorization_params(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    google_like = catalog_spec(auth, authorization_params={"access_type": "offline", "prompt": "consent"})

    params = query(authorize(engine, google_like))

    assert params["access_type"] == "offline"
    assert params["prompt"] == "consent"


def test_authorization_url_carries_an_s256_challenge_of_the_verifier(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    params = query(authorize(engine, catalog_spec(auth, pkce=True)))

    assert params["code_challenge_method"] == "S256"
    assert params["code_challenge"] == s256(VERIFIER)
    assert VERIFIER not in params.values()


def test_authorization_url_has_no_challenge_without_pkce(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    params = query(authorize(engine, catalog_spec(auth, pkce=False)))

    assert "code_challenge" not in params
    assert "code_challenge_method" not in params


# -- code exchange -------------------------------------------------------------------------------


async def test_exchange_with_client_secret_basic_sends_credentials_in_the_header(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    spec = catalog_spec(auth, token_request_auth_method="client_secret_basic", pkce=True)
    register(auth, spec)

    tokens = await connect(auth, engine, spec)

    assert tokens.access_token in auth.by_access
    assert tokens.refresh_token in auth.by_refresh
    assert tokens.token_type.lower() == "bearer"
    assert tokens.expires_at == NOW + timedelta(seconds=3600)
    assert tokens.scopes == ("read", "write")
    assert await resource_status(auth, tokens.access_token) == 200
    (request,) = auth.token_requests("authorization_code")
    assert basic_credentials(request["headers"]) == "app:s3cret"
    body = dict(parse_qsl(request["body"]))
    assert "client_secret" not in body
    assert body["code_verifier"] == VERIFIER
    assert body["redirect_uri"] == REDIRECT


async def test_exchange_with_client_secret_post_sends_credentials_in_the_body(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    spec = catalog_spec(auth, token_request_auth_method="client_secret_post", pkce=False)
    register(auth, spec)

    tokens = await connect(auth, engine, spec)

    assert tokens.access_token in auth.by_access
    (request,) = auth.token_requests("authorization_code")
    assert "Authorization" not in request["headers"]
    body = dict(parse_qsl(request["body"]))
    assert body["client_id"] == "app"
    assert body["client_secret"] == "s3cret"
    assert "code_verifier" not in body


async def test_a_wrong_verifier_is_refused_by_the_server(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    spec = catalog_spec(auth, pkce=True)
    register(auth, spec)
    location = await asyncio.to_thread(auth.approve, authorize(engine, spec))

    with pytest.raises(GrantRejected) as caught:
        await engine.exchange_code(
            spec,
            CREDENTIALS,
            code=query(location)["code"],
            redirect_uri=REDIRECT,
            code_verifier="not-the-" + VERIFIER,
            connection_config={},
            now=NOW,
        )
    assert caught.value.error == "invalid_grant"


async def test_token_params_and_refresh_params_go_in_the_request_bodies(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    spec = catalog_spec(auth, token_params={"expiring": "1"}, refresh_params={"audience": "api"})
    register(auth, spec)

    tokens = await connect(auth, engine, spec)
    await refresh(engine, spec, tokens)

    (exchange,) = auth.token_requests("authorization_code")
    (renewal,) = auth.token_requests("refresh_token")
    assert dict(parse_qsl(exchange["body"]))["expiring"] == "1"
    assert "audience" not in dict(parse_qsl(exchange["body"]))
    assert dict(parse_qsl(renewal["body"]))["audience"] == "api"
    assert "expiring" not in dict(parse_qsl(renewal["body"]))


async def test_json_body_format_works_for_exchange_and_refresh(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    notion_like = catalog_spec(auth, token_request_auth_method="client_secret_basic", body_format="json", pkce=False)
    register(auth, notion_like)
    auth.json_body = "require"

    tokens = await connect(auth, engine, notion_like, scopes=())
    renewed = await refresh(engine, notion_like, tokens)

    assert renewed.access_token in auth.by_access
    assert renewed.access_token != tokens.access_token
    exchange, renewal = auth.token_requests()
    for request in (exchange, renewal):
        assert request["content_type"].startswith("application/json")
        assert basic_credentials(request["headers"]) == "app:s3cret"
    assert json.loads(exchange["body"]) == {
        "grant_type": "authorization_code",
        "code": json.loads(exchange["body"])["code"],
        "redirect_uri": REDIRECT,
    }
    assert json.loads(renewal["body"]) == {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token}


async def test_json_body_format_carries_client_secret_post_credentials(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    spec = catalog_spec(auth, token_request_auth_method="client_secret_post", body_format="json", pkce=True)
    register(auth, spec)
    auth.json_body = "require"

    tokens = await connect(auth, engine, spec)

    assert tokens.access_token in auth.by_access
    body = json.loads(auth.token_requests("authorization_code")[0]["body"])
    assert body["client_id"] == "app"
    assert body["client_secret"] == "s3cret"
    assert body["code_verifier"] == VERIFIER


# -- reading the token response ------------------------------------------------------------------


def slack_shape(body: dict[str, Any]) -> dict[str, Any]:
    """oauth.v2.access for a user-scope-only install: the token set under authed_user, none at the top."""
    return {
        "ok": True,
        "app_id": "A0123",
        "team": {"id": "T0123", "name": "Loopback"},
        "authed_user": {
            "id": "U0123",
            "access_token": body["access_token"],
            "token_type": "user",
            "scope": body["scope"],
            **({"refresh_token": body["refresh_token"]} if "refresh_token" in body else {}),
            "expires_in": body["expires_in"],
        },
    }


async def test_access_token_path_reads_the_user_token_under_authed_user(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    slack_like = catalog_spec(auth, scope_separator=",", pkce=False, access_token_path="authed_user")
    register(auth, slack_like)
    auth.token_response_transform = slack_shape

    tokens = await connect(auth, engine, slack_like, scopes=("read",))

    assert "access_token" not in tokens.raw
    assert tokens.access_token == tokens.raw["authed_user"]["access_token"]
    assert tokens.access_token in auth.by_access
    assert tokens.refresh_token == tokens.raw["authed_user"]["refresh_token"]
    assert tokens.refresh_token in auth.by_refresh
    assert tokens.token_type == "user"
    assert tokens.scopes == ("read",)
    assert tokens.expires_at == NOW + timedelta(seconds=3600)
    assert await resource_status(auth, tokens.access_token) == 200


async def test_access_token_path_also_reads_a_refresh_response(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    slack_like = catalog_spec(auth, scope_separator=",", pkce=False, access_token_path="authed_user")
    register(auth, slack_like)
    auth.token_response_transform = slack_shape
    tokens = await connect(auth, engine, slack_like, scopes=("read",))

    renewed = await refresh(engine, slack_like, tokens)

    assert renewed.access_token in auth.by_access
    assert renewed.access_token != tokens.access_token
    assert renewed.refresh_token == renewed.raw["authed_user"]["refresh_token"] != tokens.refresh_token


async def test_a_top_level_access_token_wins_over_access_token_path(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    slack_like = catalog_spec(auth, scope_separator=",", pkce=False, access_token_path="authed_user")
    register(auth, slack_like)
    auth.token_response_transform = lambda body: {
        **body,
        "ok": True,
        "authed_user": {"id": "U0123", "access_token": "xoxp-user-token", "token_type": "user"},
    }

    tokens = await connect(auth, engine, slack_like, scopes=("read",))

    assert tokens.access_token == tokens.raw["access_token"]
    assert tokens.access_token in auth.by_access
    assert tokens.access_token != "xoxp-user-token"


async def test_no_expires_in_uses_token_lifetime_default(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    spec = catalog_spec(auth, token_lifetime_default=7200)
    register(auth, spec)
    auth.omit_expires_in = True

    tokens = await connect(auth, engine, spec)

    assert "expires_in" not in tokens.raw
    assert tokens.expires_at == NOW + timedelta(seconds=7200)


async def test_no_expires_in_and_no_default_means_no_expiry(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    github_like = catalog_spec(auth, token_request_auth_method="client_secret_post")
    register(auth, github_like)
    auth.omit_expires_in = True

    tokens = await connect(auth, engine, github_like)

    assert tokens.expires_at is None
    assert not tokens.is_expired(NOW + timedelta(days=3650))


async def test_expires_in_wins_over_token_lifetime_default(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    spec = catalog_spec(auth, token_lifetime_default=7200)
    register(auth, spec)

    tokens = await connect(auth, engine, spec)

    assert tokens.expires_at == NOW + timedelta(seconds=3600)


# -- refresh -------------------------------------------------------------------------------------


async def test_refresh_with_rotation_returns_the_new_refresh_token(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    spec = catalog_spec(auth)
    register(auth, spec)
    auth.rotate_refresh_tokens = True
    tokens = await connect(auth, engine, spec)

    renewed = await refresh(engine, spec, tokens)

    assert renewed.access_token != tokens.access_token
    assert renewed.refresh_token is not None
    assert renewed.refresh_token != tokens.refresh_token
    assert renewed.refresh_token in auth.by_refresh
    assert renewed.expires_at == NOW + timedelta(seconds=3600)
    assert tokens.renewed_by(renewed).refresh_token == renewed.refresh_token
    assert await resource_status(auth, renewed.access_token) == 200
    (request,) = auth.token_requests("refresh_token")
    assert dict(parse_qsl(request["body"]))["refresh_token"] == tokens.refresh_token
    with pytest.raises(GrantRejected) as caught:  # the rotated-out refresh token is dead
        await refresh(engine, spec, tokens)
    assert caught.value.error == "invalid_grant"


async def test_refresh_without_a_new_refresh_token_keeps_the_old_one(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    spec = catalog_spec(auth)
    register(auth, spec)
    auth.rotate_refresh_tokens = False
    tokens = await connect(auth, engine, spec)

    fresh = await refresh(engine, spec, tokens)

    assert fresh.access_token != tokens.access_token
    assert fresh.refresh_token is None
    assert "refresh_token" not in fresh.raw
    kept = tokens.renewed_by(fresh)
    assert kept.refresh_token == tokens.refresh_token
    assert kept.access_token == fresh.access_token
    again = await refresh(engine, spec, kept)  # the kept refresh token still works
    assert again.access_token in auth.by_access


async def test_refresh_uses_the_refresh_url_when_the_catalog_sets_one(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    spec = catalog_spec(auth, token_url=auth.base_url + "/nowhere", refresh_url=auth.token_url)
    register(auth, spec)
    tokens = TokenSet(access_token="old", refresh_token="not-issued")

    with pytest.raises(GrantRejected):  # reached the real token endpoint, which refused the unknown token
        await refresh(engine, spec, tokens)
    assert len(auth.token_requests("refresh_token")) == 1


# -- connection_config templating ----------------------------------------------------------------


async def test_connection_config_is_templated_into_the_urls_that_reach_the_network(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    spec = catalog_spec(
        authorization_url="http://127.0.0.1:{port}/oauth/authorize",
        token_url="http://127.0.0.1:{port}/oauth/token",
        revocation_url="http://127.0.0.1:{port}/oauth/revoke",
        connection_config={"port": {"pattern": "^[0-9]+$", "description": "the loopback server's port"}},
    )
    register(auth, spec)
    port = str(urlsplit(auth.base_url).port)
    config = spec.check_connection_config({"port": port})

    tokens = await connect(auth, engine, spec, connection_config=config)

    assert authorize(engine, spec, connection_config=config).startswith(auth.authorization_url + "?")
    assert tokens.access_token in auth.by_access
    renewed = await engine.refresh(spec, CREDENTIALS, tokens, connection_config=config, now=NOW)
    assert renewed.access_token in auth.by_access
    assert await engine.revoke(spec, CREDENTIALS, renewed, connection_config=config) is True
    assert auth.revoked_tokens == [renewed.refresh_token]


# -- error mapping -------------------------------------------------------------------------------

STALE = TokenSet(access_token="stale", refresh_token="some-refresh-token")


@pytest.mark.parametrize(
    ("mode", "error"),
    [("invalid_grant", "invalid_grant"), ("slack_error", "invalid_refresh_token")],
)
async def test_provider_error_codes_become_grant_rejected(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient, mode: str, error: str
) -> None:
    spec = catalog_spec(auth)
    auth.fail_next_token_requests(mode)

    with pytest.raises(GrantRejected) as caught:
        await refresh(engine, spec, STALE)

    assert caught.value.error == error


async def test_an_unknown_refresh_token_is_invalid_grant_from_the_real_server(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    spec = catalog_spec(auth)
    register(auth, spec)

    with pytest.raises(GrantRejected) as caught:
        await refresh(engine, spec, STALE)

    assert caught.value.error == "invalid_grant"


@pytest.mark.parametrize("mode", ["http_500", "garbage"])
async def test_broken_answers_become_provider_unavailable(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient, mode: str
) -> None:
    spec = catalog_spec(auth)
    auth.fail_next_token_requests(mode, count=2)

    with pytest.raises(ProviderUnavailable):
        await refresh(engine, spec, STALE)
    with pytest.raises(ProviderUnavailable):
        await engine.exchange_code(
            spec, CREDENTIALS, code="c", redirect_uri=REDIRECT, code_verifier=None, connection_config={}, now=NOW
        )


async def test_a_slow_provider_becomes_provider_unavailable(auth: LoopbackAuthServer) -> None:
    spec = catalog_spec(auth)
    auth.fail_next_token_requests("timeout", delay=1.5)
    impatient = AuthlibProviderClient(timeout=0.5)
    started = time.monotonic()
    try:
        with pytest.raises(ProviderUnavailable):
            await refresh(impatient, spec, STALE)
    finally:
        await impatient.aclose()
    assert time.monotonic() - started < 1.4


async def test_a_closed_port_becomes_provider_unavailable(engine: AuthlibProviderClient) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    spec = catalog_spec(authorization_url=closed + "/oauth/authorize", token_url=closed + "/oauth/token")

    with pytest.raises(ProviderUnavailable):
        await refresh(engine, spec, STALE)
    with pytest.raises(ProviderUnavailable):
        await engine.exchange_code(
            spec, CREDENTIALS, code="c", redirect_uri=REDIRECT, code_verifier=None, connection_config={}, now=NOW
        )


@pytest.mark.parametrize(
    "transform",
    [
        lambda body: {"token_type": "Bearer", "expires_in": 3600},
        lambda body: {**body, "access_token": ""},
        lambda body: {"ok": True, "authed_user": {"id": "U0123"}},
    ],
    ids=["missing", "empty", "nothing-under-path"],
)
async def test_a_response_without_access_token_becomes_provider_unavailable(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient, transform: Any
) -> None:
    spec = catalog_spec(auth, access_token_path="authed_user")
    register(auth, spec)
    auth.token_response_transform = transform

    with pytest.raises(ProviderUnavailable):
        await connect(auth, engine, spec)


# -- revocation ----------------------------------------------------------------------------------


async def test_revoke_posts_the_refresh_token_to_the_revocation_url(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    spec = catalog_spec(auth)
    register(auth, spec)
    tokens = await connect(auth, engine, spec)

    assert await engine.revoke(spec, CREDENTIALS, tokens, connection_config={}) is True

    assert auth.revoked_tokens == [tokens.refresh_token]
    assert await resource_status(auth, tokens.access_token) == 401
    with pytest.raises(GrantRejected):
        await refresh(engine, spec, tokens)


async def test_revoke_sends_the_access_token_when_there_is_no_refresh_token(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    spec = catalog_spec(auth, token_request_auth_method="client_secret_post")
    register(auth, spec)
    tokens = await connect(auth, engine, spec)
    access_only = TokenSet(access_token=tokens.access_token)

    assert await engine.revoke(spec, CREDENTIALS, access_only, connection_config={}) is True

    assert auth.revoked_tokens == [tokens.access_token]
    assert await resource_status(auth, tokens.access_token) == 401


async def test_revoke_without_a_revocation_url_returns_false(
    auth: LoopbackAuthServer, engine: AuthlibProviderClient
) -> None:
    spec = catalog_spec(authorization_url=auth.authorization_url, token_url=auth.token_url)
    assert spec.revocation_url is None

    assert await engine.revoke(spec, CREDENTIALS, STALE, connection_config={}) is False
    assert auth.revoked_tokens == []


async def test_revoke_against_a_closed_port_becomes_provider_unavailable(engine: AuthlibProviderClient) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    spec = catalog_spec(authorization_url=closed + "/a", token_url=closed + "/t", revocation_url=closed + "/r")

    with pytest.raises(ProviderUnavailable):
        await engine.revoke(spec, CREDENTIALS, STALE, connection_config={})


# -- the built-in catalog ------------------------------------------------------------------------

CATALOG_HOSTS = {
    "twitter": "x.com",
    "google": "accounts.google.com",
    "github": "github.com",
    "slack": "slack.com",
    "notion": "api.notion.com",
    "shopify": "my-store.myshopify.com",
}
SAMPLE_CONFIG = {"shop": "my-store"}
BUILTIN = YamlCatalog.load().all()


@pytest.mark.parametrize("spec", BUILTIN, ids=[s.name for s in BUILTIN])
def test_every_catalog_entry_yields_an_authorization_url_on_the_providers_host(
    engine: AuthlibProviderClient, spec: ProviderSpec
) -> None:
    config = spec.check_connection_config({f.name: SAMPLE_CONFIG[f.name] for f in spec.connection_config})
    dummy = ClientCredentials("dummy-client-id", "dummy-client-secret")

    url = authorize(engine, spec, scopes=spec.default_scopes, connection_config=config, credentials=dummy)

    parts = urlsplit(url)
    expected = CATALOG_HOSTS.get(spec.name) or urlsplit(spec.render(spec.authorization_url, config)).hostname
    assert parts.scheme == "https"
    assert parts.hostname == expected
    assert "{" not in url
    params = query(url)
    assert params["client_id"] == "dummy-client-id"
    assert params["redirect_uri"] == REDIRECT
    assert "dummy-client-secret" not in url
    assert ("code_challenge" in params) == spec.pkce
    for key, value in spec.authorization_params.items():
        assert params[key] == value
    if spec.default_scopes:
        assert params["scope"] == spec.scope_separator.join(spec.default_scopes)


def test_the_catalog_hosts_above_are_all_in_the_builtin_catalog() -> None:
    assert set(CATALOG_HOSTS) <= {s.name for s in BUILTIN}


def test_an_absurd_expires_in_is_capped_not_a_crash() -> None:
    from oauthhandler.adapters.oauth.tokens import MAX_LIFETIME_SECONDS, token_set

    now = datetime.now(UTC)
    spec = catalog_spec(authorization_url="https://idp.test/a", token_url="https://idp.test/t")
    tokens = token_set(spec, {"access_token": "a", "expires_in": 1e20}, now)
    assert tokens.expires_at == now + timedelta(seconds=MAX_LIFETIME_SECONDS)


async def test_a_provider_that_never_finishes_its_answer_is_cut_off_by_the_deadline() -> None:
    from oauthhandler.adapters.oauth.client import _call

    async def dripping() -> dict[str, object]:
        await asyncio.sleep(5)
        return {}

    started = time.monotonic()
    with pytest.raises(ProviderUnavailable):
        await _call(dripping, 0.2)
    assert time.monotonic() - started < 2
