"""The oauthhandler command: serve, migrate, catalog, rotate-keys."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from pydantic import ValidationError

from oauthhandler.config import Settings


def _settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        sys.exit(f"oauthhandler: setting OAUTHHANDLER_{str(first['loc'][0]).upper()}: {first['msg']}")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def cmd_migrate(settings: Settings) -> None:
    from oauthhandler.bootstrap import run_migrations

    asyncio.run(run_migrations(settings))
    print("database is up to date")


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    from oauthhandler.bootstrap import check_keys, run_migrations

    # Before the workers start: migrate, generate key files once, and fail early on a bad catalog or a missing key.
    asyncio.run(run_migrations(settings))
    asyncio.run(check_keys(settings))
    Granian(
        "oauthhandler.asgi:app_factory",
        factory=True,
        address=args.host or settings.host,
        port=args.port or settings.port,
        interface=Interfaces.ASGI,
        workers=args.workers,
    ).serve()


def cmd_catalog(settings: Settings) -> None:
    from oauthhandler.bootstrap import load_catalog

    for spec in load_catalog(settings).all():
        print(f"{spec.name:<16} {spec.display_name:<20} {spec.auth_mode.value:<10} {' '.join(spec.default_scopes)}")


def cmd_rotate_keys(settings: Settings) -> None:
    from oauthhandler.bootstrap import run_rotate_keys

    count = asyncio.run(run_rotate_keys(settings))
    print(f"re-encrypted {count} secret(s) with the first encryption key")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="oauthhandler", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="apply pending migrations, then serve")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    commands.add_parser("migrate", help="apply migrations and exit")
    commands.add_parser("catalog", help="list the providers the catalog knows")
    commands.add_parser("rotate-keys", help="re-encrypt every stored secret with the first encryption key")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = _settings()
    try:
        if args.command == "serve":
            cmd_serve(settings, args)
        elif args.command == "migrate":
            cmd_migrate(settings)
        elif args.command == "catalog":
            cmd_catalog(settings)
        else:
            cmd_rotate_keys(settings)
    except ValueError as exc:  # a bad catalog file or key: say what, without a traceback
        sys.exit(f"oauthhandler: {exc}")


if __name__ == "__main__":
    main()
