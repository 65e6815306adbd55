"""The rules of ARCHITECTURE.md, enforced: dependencies point inward, and provider quirks are data."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import yaml

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "oauthhandler"
STDLIB = set(sys.stdlib_module_names)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def _violations(layer: str, allowed: tuple[str, ...]) -> list[str]:
    bad = []
    for path in _modules(layer):
        for name in _imports(path):
            top = name.split(".")[0]
            if top == "__future__" or top in STDLIB or name.startswith(allowed):
                continue
            bad.append(f"{path.relative_to(PACKAGE)} imports {name}")
    return bad


def test_domain_imports_only_the_standard_library_and_ports() -> None:
    assert _violations("domain", ("oauthhandler.domain", "oauthhandler.ports")) == []


def test_ports_import_only_the_standard_library_and_domain_types() -> None:
    assert _violations("ports", ("oauthhandler.domain", "oauthhandler.ports")) == []


def test_web_never_touches_adapters_sql_or_http_clients() -> None:
    allowed = ("oauthhandler.domain", "oauthhandler.ports", "oauthhandler.web", "litestar", "msgspec")
    assert _violations("web", allowed) == []


def test_only_bootstrap_imports_adapters() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in PACKAGE.rglob("*.py")
        if "adapters" not in path.parts and path.name != "bootstrap.py"
        for name in _imports(path)
        if name.startswith("oauthhandler.adapters")
    ]
    assert offenders == []


def test_adapters_do_not_import_web_bootstrap_or_config() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _modules("adapters")
        for name in _imports(path)
        if name.startswith(("oauthhandler.web", "oauthhandler.bootstrap", "oauthhandler.config"))
    ]
    assert offenders == []


def test_no_code_branches_on_a_catalog_provider_name() -> None:
    """Quirks are data: no Python module names a catalog provider in a string."""
    names = set(yaml.safe_load((PACKAGE / "catalog" / "providers.yaml").read_text()))
    offenders = [
        f"{path.relative_to(PACKAGE)}:{node.lineno} says {node.value!r}"
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.lower() in names
    ]
    assert offenders == []


def test_nothing_in_the_domain_reads_the_clock_directly() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path in _modules("domain")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute)
        and node.attr in ("now", "utcnow", "today", "time")
        and isinstance(node.value, ast.Name)
        and node.value.id in ("datetime", "date", "time")
    ]
    assert offenders == []
