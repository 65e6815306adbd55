"""The composition root: settings -> adapters -> app. The only module that imports concrete adapters."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncEngine

from oauthhandler.adapters.argon2_hasher import Argon2PasswordHasher
from oauthhandler.adapters.catalog_loader import YamlCatalog
from oauthhandler.adapters.clock import SystemClock
from oauthhandler.adapters.crypto import AesGcmSecretBox
from oauthhandler.adapters.keyfiles import load_keys
from oauthhandler.adapters.mail import LogMailer, SmtpMailer
from oauthhandler.adapters.oauth.client import AuthlibProviderClient
from oauthhandler.adapters.sql.database import SqlDatabase, create_engine
from oauthhandler.adapters.sql.lease import SqlRefreshLease
from oauthhandler.adapters.sql.migrate import migrate
from oauthhandler.adapters.sql.rotation import key_ids_in_use, rotate_keys
from oauthhandler.config import Settings
from oauthhandler.domain.model import Policy
from oauthhandler.domain.services import Services
from oauthhandler.ports.services import Catalog, Clock, Mailer
from oauthhandler.web.app import AppContext, create_app

log = logging.getLogger("oauthhandler")


@dataclass
class Runtime:
    """The built service: its ports, its engine and how to close them."""

    services: Services
    db: SqlDatabase
    engine: AsyncEngine
    oauth: AuthlibProviderClient
    secret_key: str
    box: AesGcmSecretBox

    async def close(self) -> None:
        self.db.close()
        await self.oauth.aclose()
        await self.engine.dispose()


def build_mailer(settings: Settings) -> Mailer:
    if not settings.smtp_host:
        return LogMailer()
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_from,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
        use_tls=settings.smtp_tls,
    )


def load_catalog(settings: Settings) -> Catalog:
    return YamlCatalog.load(settings.providers_file)


def build_runtime(settings: Settings, *, clock: Clock | None = None) -> Runtime:
    """Wire every adapter; no I/O but reading the key files and the catalog."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    keys = load_keys(settings.data_dir, settings.secret_key, settings.encryption_keys)
    box = AesGcmSecretBox(keys.encryption_keys)
    engine = create_engine(settings.database_url)
    clock = clock or SystemClock()
    oauth = AuthlibProviderClient(timeout=settings.provider_timeout_seconds)
    db = SqlDatabase(engine, box)
    services = Services(
        db=db,
        clock=clock,
        hasher=Argon2PasswordHasher(),
        mailer=build_mailer(settings),
        catalog=load_catalog(settings),
        oauth=oauth,
        refresh_lock=SqlRefreshLease(
            engine,
            clock,
            ttl=timedelta(seconds=settings.provider_timeout_seconds * 3 + 30),
            wait=timedelta(seconds=settings.provider_timeout_seconds * 3 + 45),
        ),
        policy=Policy(
            public_url=settings.public_url,
            refresh_margin=timedelta(seconds=settings.refresh_margin_seconds),
            connect_ttl=timedelta(seconds=settings.connect_ttl_seconds),
        ),
    )
    return Runtime(services, db, engine, oauth, keys.secret_key, box)


def build_app(settings: Settings | None = None) -> Litestar:
    """The ASGI app for a server worker."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it logs each provider URL, shop names included
    settings = settings or Settings()
    runtime = build_runtime(settings)
    context = AppContext(
        services=runtime.services,
        secret_key=runtime.secret_key,
        secure_cookies=settings.secure_cookies,
        ready=runtime.db.ping,
        on_shutdown=[runtime.close],
    )
    return create_app(context)


async def run_migrations(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


async def check_keys(settings: Settings) -> None:
    """Refuse to start when stored secrets need an encryption key that is not configured."""
    runtime = build_runtime(settings)
    try:
        missing = await key_ids_in_use(runtime.engine) - runtime.box.key_ids()
    finally:
        await runtime.close()
    if missing:
        raise ValueError(
            f"stored secrets are encrypted under key id(s) {', '.join(sorted(missing))}, which "
            "OAUTHHANDLER_ENCRYPTION_KEYS does not hold: add the key back (keep it after the new one)"
        )


async def run_rotate_keys(settings: Settings) -> int:
    runtime = build_runtime(settings)
    try:
        return await rotate_keys(runtime.engine, runtime.box)
    finally:
        await runtime.close()
