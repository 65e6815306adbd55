"""`make run` on a checkout serves on 127.0.0.1:8000 with SQLite and no settings at all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.support.service import clean_env

REPO = Path(__file__).resolve().parents[2]


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_make_run_serves_on_8000_with_sqlite_and_no_settings(tmp_path: Path) -> None:
    if not _port_free(8000):
        pytest.skip("NOTICE: port 8000 is taken on this machine, so `make run` cannot be shown here")
    if (REPO / ".env").exists():
        pytest.skip("NOTICE: this checkout has a .env file, so `make run` would not run without settings")
    log = (tmp_path / "make-run.log").open("wb")
    proc = subprocess.Popen(
        ["make", "run"], cwd=REPO, env=clean_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "make-run.log").read_text()
            try:
                ready = httpx.get("http://127.0.0.1:8000/readyz", timeout=1)
                if ready.status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("make run did not serve within 120 s:\n" + (tmp_path / "make-run.log").read_text())
        assert httpx.get("http://127.0.0.1:8000/healthz").json() == {"status": "ok"}
        assert (REPO / "data" / "oauthhandler.db").exists()
        openapi = httpx.get("http://127.0.0.1:8000/schema/openapi.json")
        assert openapi.status_code == 200 and openapi.json()["info"]["title"] == "OAuthHandler"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
