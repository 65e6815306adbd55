"""create_app(): the one Litestar app, JSON API and browser routes, built from what bootstrap hands in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from litestar import Litestar, MediaType, Response, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

from oauthhandler.domain.services import Services
from oauthhandler.web.api import ApiController
from oauthhandler.web.errors import EXCEPTION_HANDLERS
from oauthhandler.web.flow import FLOW_ROUTES
from oauthhandler.web.schemas import StatusOut
from oauthhandler.web.seed import SEED_ROUTES


@dataclass
class AppContext:
    """Everything the web layer needs, built by bootstrap."""

    services: Services
    secret_key: str
    secure_cookies: bool
    ready: Callable[[], Awaitable[bool]]
    on_shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


@get("/healthz", tags=["Operations"], summary="The process is up")
async def healthz() -> StatusOut:
    return StatusOut("ok")


@get("/readyz", tags=["Operations"], summary="The database answers")
async def readyz(state: State) -> Response[StatusOut]:
    ok = await state.context.ready()
    return Response(StatusOut("ok" if ok else "unavailable"), status_code=200 if ok else 503)


@get("/", media_type=MediaType.HTML, include_in_schema=False)
async def home() -> Template:
    return Template(
        "message.html",
        context={
            "title": "OAuthHandler",
            "message": "The service is running. The API is described at /schema.",
        },
    )


def create_app(context: AppContext) -> Litestar:
    services = context.services

    async def provide_services() -> Services:
        return services

    templates = Path(str(resources.files("oauthhandler") / "templates"))
    return Litestar(
        route_handlers=[ApiController, *SEED_ROUTES, *FLOW_ROUTES, healthz, readyz, home],
        dependencies={"svc": Provide(provide_services)},
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=TemplateConfig(directory=templates, engine=JinjaTemplateEngine),
        openapi_config=OpenAPIConfig(
            title="OAuthHandler",
            version="0.1.0",
            description="OAuth tokens for your end users: connect links, encrypted storage, refresh exactly once.",
            components=Components(
                security_schemes={
                    "BearerAuth": SecurityScheme(type="http", scheme="bearer", description="An API key"),
                    "BasicAuth": SecurityScheme(type="http", scheme="basic", description="Email and password"),
                }
            ),
        ),
        state=State({"context": context, "secure_cookies": context.secure_cookies}),
        on_shutdown=list(context.on_shutdown),
        request_max_body_size=1024 * 1024,
        debug=False,
    )


__all__ = ["AppContext", "create_app"]
