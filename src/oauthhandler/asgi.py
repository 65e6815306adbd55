"""Entry point for ASGI servers: `granian --interface asgi --factory oauthhandler.asgi:app_factory`."""

from __future__ import annotations

from litestar import Litestar

from oauthhandler.bootstrap import build_app


def app_factory() -> Litestar:
    return build_app()
