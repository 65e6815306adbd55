"""The real service in a subprocess (`oauthhandler serve`), over real HTTP, with its own data folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.smtp import free_port

OAUTHHANDLER = str(Path(sys.executable).with_name("oauthhandler"))


def clean_env(**settings: str) -> dict[str, str]:
    """The test's environment without any OAUTHHANDLER_ setting of the developer's, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OAUTHHANDLER_")}
    env.update({f"OAUTHHANDLER_{k.upper()}": v for k, v in settings.items()})
    return env


class ServiceProcess:
    """One `oauthhandler serve` process. `base_url`, `log_text()`, `stop()`."""

    def __init__(self, data_dir: Path, *, port: int | None = None, public_url: str | None = None, **settings: str):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.settings = {"data_dir": str(data_dir), "public_url": public_url or self.base_url, **settings}
        self.log_path = data_dir.parent / f"{data_dir.name}-{self.port}.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> ServiceProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self._proc = subprocess.Popen(
            [OAUTHHANDLER, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=clean_env(**self.settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.data_dir.parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"the service exited early:\n{self.log_text()}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the service did not start in {timeout}s:\n{self.log_text()}")

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run another oauthhandler command against the same data folder and settings."""
        return subprocess.run(
            [OAUTHHANDLER, *args],
            env=clean_env(**self.settings),
            capture_output=True,
            text=True,
            timeout=60,
            cwd=self.data_dir.parent,
        )

    @property
    def database_file(self) -> Path:
        return self.data_dir / "oauthhandler.db"


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
