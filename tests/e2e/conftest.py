"""The e2e harness: the real service over HTTP, a real SMTP server and a real OAuth 2 server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.authserver import LoopbackAuthServer
from tests.support.developer import Developer, sign_up
from tests.support.service import ServiceProcess
from tests.support.smtp import LoopbackSmtpServer


@pytest.fixture(scope="session")
def smtp() -> Iterator[LoopbackSmtpServer]:
    server = LoopbackSmtpServer().start()
    yield server
    server.stop()


def _service(tmp: Path, smtp: LoopbackSmtpServer, **settings: str) -> ServiceProcess:
    return ServiceProcess(
        tmp / "data",
        smtp_host="127.0.0.1",
        smtp_port=str(smtp.port),
        smtp_from="oauthhandler@example.test",
        provider_timeout_seconds="2",
        **settings,
    ).start()


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory, smtp: LoopbackSmtpServer) -> Iterator[ServiceProcess]:
    """The service with default settings (refresh margin 300 s)."""
    proc = _service(tmp_path_factory.mktemp("service"), smtp)
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def service_no_margin(tmp_path_factory: pytest.TempPathFactory, smtp: LoopbackSmtpServer) -> Iterator[ServiceProcess]:
    """The service refreshing only once a token has really expired (margin 0), for expiry on the wall clock."""
    proc = _service(tmp_path_factory.mktemp("service-no-margin"), smtp, refresh_margin_seconds="0")
    yield proc
    proc.stop()


@pytest.fixture
def auth() -> Iterator[LoopbackAuthServer]:
    with LoopbackAuthServer() as server:
        yield server


@pytest.fixture
def dev(service: ServiceProcess, smtp: LoopbackSmtpServer) -> Developer:
    return sign_up(service, smtp)
