"""Single flight: however many callers, workers or instances ask at once, the provider sees one refresh."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.authserver import LoopbackAuthServer
from tests.support.developer import Developer, sign_up
from tests.support.service import ServiceProcess
from tests.support.smtp import LoopbackSmtpServer

CALLERS = 50


async def _ask_all(urls: list[str], key: str) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=CALLERS)
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60, limits=limits) as http:
        return await asyncio.gather(*(http.get(url) for url in urls))


def _expired_connection(dev: Developer, auth: LoopbackAuthServer) -> tuple[str, str]:
    auth.access_token_lifetime = 1
    provider = dev.enable_loopback(auth)
    assert dev.connect(auth, provider, "racer").status_code == 303
    time.sleep(1.3)
    # A slow provider widens the window in which every caller is waiting on the same refresh.
    auth.fail_next_token_requests("timeout", count=1, delay=0.5)
    auth.reset_counters()
    return provider, f"/api/v1/providers/{provider}/connections/racer/token"


def _assert_one_refresh(auth: LoopbackAuthServer, responses: list[httpx.Response]) -> None:
    assert [r.status_code for r in responses] == [200] * CALLERS, {r.text for r in responses}
    tokens = {r.json()["access_token"] for r in responses}
    assert len(tokens) == 1, f"callers got {len(tokens)} different tokens"
    assert len(auth.token_requests("refresh_token")) == 1
    got = httpx.get(auth.resource_url, headers={"Authorization": f"Bearer {tokens.pop()}"})
    assert got.status_code == 200


def test_fifty_callers_one_refresh(
    service_no_margin: ServiceProcess, smtp: LoopbackSmtpServer, auth: LoopbackAuthServer
) -> None:
    dev = sign_up(service_no_margin, smtp)
    _, path = _expired_connection(dev, auth)
    responses = asyncio.run(_ask_all([service_no_margin.base_url + path] * CALLERS, dev.key))
    _assert_one_refresh(auth, responses)


@pytest.fixture
def two_instances(tmp_path: Path, smtp: LoopbackSmtpServer) -> Iterator[tuple[ServiceProcess, ServiceProcess]]:
    """Two server processes on one SQLite file, as two instances behind a load balancer."""
    first = ServiceProcess(
        tmp_path / "shared", refresh_margin_seconds="0", smtp_host="127.0.0.1", smtp_port=str(smtp.port)
    ).start()
    second = ServiceProcess(
        tmp_path / "shared",
        public_url=first.base_url,
        refresh_margin_seconds="0",
        smtp_host="127.0.0.1",
        smtp_port=str(smtp.port),
    ).start()
    yield first, second
    first.stop()
    second.stop()


def test_two_processes_sharing_sqlite_one_refresh(
    two_instances: tuple[ServiceProcess, ServiceProcess], smtp: LoopbackSmtpServer, auth: LoopbackAuthServer
) -> None:
    first, second = two_instances
    dev = sign_up(first, smtp)
    _, path = _expired_connection(dev, auth)
    urls = [(first if i % 2 else second).base_url + path for i in range(CALLERS)]
    responses = asyncio.run(_ask_all(urls, dev.key))
    _assert_one_refresh(auth, responses)
