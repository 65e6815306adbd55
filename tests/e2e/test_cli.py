"""The command line: catalog, migrate, and a bad catalog file failing at start with a message, not a traceback."""

from __future__ import annotations

from pathlib import Path

from tests.support.service import ServiceProcess


def test_catalog_lists_the_built_in_providers(tmp_path: Path) -> None:
    result = ServiceProcess(tmp_path / "data").cli("catalog")
    assert result.returncode == 0, result.stderr
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == ["github", "google", "notion", "shopify", "slack", "twitter"]


def test_providers_file_adds_to_the_catalog(tmp_path: Path) -> None:
    extra = tmp_path / "providers.yaml"
    extra.write_text(
        "acme:\n  display_name: Acme\n  authorization_url: https://acme.test/authorize\n"
        "  token_url: https://acme.test/token\n"
    )
    result = ServiceProcess(tmp_path / "data", providers_file=str(extra)).cli("catalog")
    assert result.returncode == 0, result.stderr
    assert "acme" in result.stdout.split()


def test_a_wrong_catalog_key_fails_at_start_naming_entry_and_key(tmp_path: Path) -> None:
    extra = tmp_path / "providers.yaml"
    extra.write_text(
        "acme:\n  display_name: Acme\n  authorization_url: https://acme.test/a\n  token_url: https://acme.test/t\n"
        "  scope_seperator: ','\n"
    )
    service = ServiceProcess(tmp_path / "data", providers_file=str(extra))
    for command in (("catalog",), ("serve", "--port", str(service.port))):
        result = service.cli(*command)
        assert result.returncode != 0
        assert "acme" in result.stderr and "scope_seperator" in result.stderr
        assert "Traceback" not in result.stderr


def test_migrate_creates_the_database_and_is_idempotent(tmp_path: Path) -> None:
    service = ServiceProcess(tmp_path / "data")
    for _ in range(2):
        result = service.cli("migrate")
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout
    assert service.database_file.exists()
