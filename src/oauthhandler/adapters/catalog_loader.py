"""The provider catalog: built-in providers.yaml merged with OAUTHHANDLER_PROVIDERS_FILE, validated at start."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from oauthhandler.domain.model import AuthMode, ConnectionConfigField, ProviderSpec


class CatalogError(ValueError):
    """The catalog file is wrong; the message names the entry and the key."""


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_URL_KEYS = ("authorization_url", "token_url", "refresh_url", "revocation_url")


class _Field(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pattern: str
    description: str = ""

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from None
        return value


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: str
    auth_mode: AuthMode = AuthMode.OAUTH2
    authorization_url: str
    token_url: str
    refresh_url: str | None = None
    revocation_url: str | None = None
    default_scopes: list[str] = []
    scope_separator: str = " "
    authorization_params: dict[str, str] = {}
    token_params: dict[str, str] = {}
    refresh_params: dict[str, str] = {}
    token_request_auth_method: Literal["client_secret_basic", "client_secret_post"] = "client_secret_basic"
    body_format: Literal["form", "json"] = "form"
    pkce: bool = True
    access_token_path: str | None = None
    connection_config: dict[str, _Field] = {}
    token_lifetime_default: int | None = None
    issuer: str | None = None
    reauthorization_errors: list[str] = ["invalid_grant"]
    docs: str | None = None

    def undeclared_placeholder(self) -> str | None:
        """The first URL placeholder connection_config does not declare, so it fails at load, not mid-flow."""
        for key in _URL_KEYS:
            for placeholder in _PLACEHOLDER.findall(getattr(self, key) or ""):
                if placeholder not in self.connection_config:
                    return f"key '{key}': placeholder {{{placeholder}}} is not declared in connection_config"
        return None

    def to_spec(self, name: str) -> ProviderSpec:
        data: dict[str, Any] = self.model_dump(exclude={"connection_config"})
        data["default_scopes"] = tuple(self.default_scopes)
        data["reauthorization_errors"] = tuple(self.reauthorization_errors)
        fields = tuple(ConnectionConfigField(k, v.pattern, v.description) for k, v in self.connection_config.items())
        return ProviderSpec(name=name, connection_config=fields, **data)


def _describe(error: Any) -> str:
    key = ".".join(str(p) for p in error["loc"]) or "(entry)"
    if error["type"] == "extra_forbidden":
        return f"unknown key '{key}'"
    if error["type"] == "missing":
        return f"missing key '{key}'"
    return f"key '{key}': {error['msg']}"


def parse_catalog(text: str, source: str) -> dict[str, ProviderSpec]:
    """Validate a catalog document; CatalogError names the file, the entry and the key."""
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise CatalogError(f"{source}: not valid YAML ({exc})") from None
    if not isinstance(document, dict):
        raise CatalogError(f"{source}: must be a mapping of provider name to entry")
    specs = {}
    for name, entry in document.items():
        if not isinstance(entry, dict):
            raise CatalogError(f"{source}: entry '{name}' must be a mapping")
        try:
            parsed = _Entry.model_validate(entry)
        except ValidationError as exc:
            raise CatalogError(f"{source}: entry '{name}': {_describe(exc.errors()[0])}") from None
        problem = parsed.undeclared_placeholder()
        if problem:
            raise CatalogError(f"{source}: entry '{name}': {problem}")
        specs[str(name)] = parsed.to_spec(str(name))
    return specs


class YamlCatalog:
    """The catalog in force: built-in entries, then the operator's file adding or replacing by name."""

    def __init__(self, specs: dict[str, ProviderSpec]) -> None:
        self._specs = dict(sorted(specs.items()))

    @classmethod
    def load(cls, extra_file: Path | None = None) -> YamlCatalog:
        builtin = resources.files("oauthhandler.catalog").joinpath("providers.yaml").read_text()
        specs = parse_catalog(builtin, "built-in providers.yaml")
        if extra_file is not None:
            try:
                text = extra_file.read_text()
            except OSError as exc:
                raise CatalogError(f"{extra_file}: cannot be read ({exc.strerror})") from None
            specs.update(parse_catalog(text, str(extra_file)))
        return cls(specs)

    def get(self, name: str) -> ProviderSpec | None:
        return self._specs.get(name)

    def all(self) -> list[ProviderSpec]:
        return list(self._specs.values())
