"""The outside of the service: error shapes for anything wrong, health, readiness and the OpenAPI document."""

from __future__ import annotations

import httpx

from tests.support.authserver import LoopbackAuthServer
from tests.support.developer import Developer
from tests.support.service import ServiceProcess

DOCUMENTED_PATHS = {
    "/signup",
    "/verify-email",
    "/enable-provider",
    "/get-access-token",
    "/connect/{token}",
    "/authorization-success",
    "/healthz",
    "/readyz",
    "/api/v1/api-keys",
    "/api/v1/api-keys/{key_id}",
    "/api/v1/catalog",
    "/api/v1/providers",
    "/api/v1/providers/{name}",
    "/api/v1/providers/{name}/authorize",
    "/api/v1/providers/{name}/connections",
    "/api/v1/providers/{name}/connections/{end_user_id}",
    "/api/v1/providers/{name}/connections/{end_user_id}/token",
}


def test_unknown_route_and_wrong_method_answer_in_the_error_shape(service: ServiceProcess) -> None:
    missing = httpx.get(f"{service.base_url}/no/such/route")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    wrong = httpx.delete(f"{service.base_url}/healthz")
    assert (wrong.status_code, wrong.json()["error"]) == (405, "method_not_allowed")
    assert set(wrong.json()) == {"error", "detail"}


def test_health_and_readiness(service: ServiceProcess) -> None:
    assert httpx.get(f"{service.base_url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{service.base_url}/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ok"})


def test_openapi_documents_every_endpoint(service: ServiceProcess) -> None:
    document = httpx.get(f"{service.base_url}/schema/openapi.json").json()
    assert DOCUMENTED_PATHS <= set(document["paths"])
    assert {"BearerAuth", "BasicAuth"} <= set(document["components"]["securitySchemes"])


def test_seed_enable_provider_answers_200_like_put(dev: Developer) -> None:
    response = httpx.post(
        f"{dev.service.base_url}/enable-provider",
        data={
            "provider": "github",
            "client_id": "id",
            "client_secret": "s",
            "email": dev.email,
            "password": dev.password,
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "github" and "client_secret" not in response.text


def test_a_missing_query_parameter_is_named(dev: Developer) -> None:
    with dev.api as api:
        response = api.get("/get-access-token", params={"provider": "github"})
    assert response.status_code == 422
    assert "end_user_id" in response.json()["detail"]


def test_tokens_are_never_cached_and_401_advertises_bearer_only(dev: Developer, auth: LoopbackAuthServer) -> None:
    provider = dev.enable_loopback(auth)
    assert dev.connect(auth, provider, "u1").status_code == 303
    for response in (
        dev.token(provider, "u1"),
        dev.api.get("/get-access-token", params={"provider": provider, "end_user_id": "u1"}),
    ):
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
    with dev.api as api:
        assert api.post("/api/v1/api-keys", json={}).headers["cache-control"] == "no-store"
    denied = httpx.get(f"{dev.service.base_url}/api/v1/providers")
    assert denied.headers["www-authenticate"] == 'Bearer realm="oauthhandler"'
