"""The built-in provider catalog and the operator's extra file, through YamlCatalog and parse_catalog."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from oauthhandler.adapters.catalog_loader import CatalogError, YamlCatalog, parse_catalog
from oauthhandler.domain.errors import InvalidRequest
from oauthhandler.domain.model import AuthMode, ProviderSpec

MINIMAL = """
  display_name: Example
  authorization_url: https://example.com/authorize
  token_url: https://example.com/token
"""


@pytest.fixture(scope="module")
def builtin() -> YamlCatalog:
    return YamlCatalog.load()


def entry(builtin: YamlCatalog, name: str) -> ProviderSpec:
    spec = builtin.get(name)
    assert spec is not None, f"{name} is missing from the built-in catalog"
    return spec


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "providers.yaml"
    path.write_text(textwrap.dedent(text))
    return path


# -- the built-in catalog ------------------------------------------------------------------------


def test_the_builtin_catalog_has_the_six_providers(builtin: YamlCatalog) -> None:
    names = {spec.name for spec in builtin.all()}

    assert {"twitter", "google", "github", "slack", "notion", "shopify"} <= names
    for spec in builtin.all():
        assert spec.auth_mode is AuthMode.OAUTH2
        assert spec.display_name
        assert spec.authorization_url.startswith("https://")
        assert spec.token_url.startswith("https://")
        assert not spec.custom


def test_twitter_uses_pkce_and_asks_for_offline_access(builtin: YamlCatalog) -> None:
    twitter = entry(builtin, "twitter")

    assert twitter.pkce is True
    assert "offline.access" in twitter.default_scopes
    assert twitter.token_request_auth_method == "client_secret_basic"
    assert twitter.revocation_url


def test_google_asks_for_offline_access_and_consent(builtin: YamlCatalog) -> None:
    google = entry(builtin, "google")

    assert google.authorization_params["access_type"] == "offline"
    assert google.authorization_params["prompt"] == "consent"
    assert google.issuer == "https://accounts.google.com"


def test_github_has_no_token_lifetime_default(builtin: YamlCatalog) -> None:
    github = entry(builtin, "github")

    assert github.token_lifetime_default is None
    assert github.default_lifetime() is None
    assert github.revocation_url is None  # GitHub's DELETE /applications/{client_id}/token is not RFC 7009


def test_slack_joins_scopes_with_commas_and_reads_authed_user(builtin: YamlCatalog) -> None:
    slack = entry(builtin, "slack")

    assert slack.scope_separator == ","
    assert slack.access_token_path == "authed_user"
    assert slack.join_scopes(("chat:write", "users:read")) == "chat:write,users:read"
    assert "invalid_refresh_token" in slack.reauthorization_errors


def test_notion_uses_basic_auth_and_a_json_body(builtin: YamlCatalog) -> None:
    notion = entry(builtin, "notion")

    assert notion.token_request_auth_method == "client_secret_basic"
    assert notion.body_format == "json"


def test_shopify_templates_the_shop_into_both_urls(builtin: YamlCatalog) -> None:
    shopify = entry(builtin, "shopify")

    assert "{shop}" in shopify.authorization_url
    assert "{shop}" in shopify.token_url
    assert [f.name for f in shopify.connection_config] == ["shop"]
    config = shopify.check_connection_config({"shop": "my-store"})
    assert shopify.render(shopify.token_url, config) == "https://my-store.myshopify.com/admin/oauth/access_token"


@pytest.mark.parametrize(
    "shop",
    ["evil.com/x", "evil.com", "my-store.evil.com", "a/b", "x@evil.com", "-leading-dash", "", "my-store\n", "a b"],
)
def test_shopify_refuses_a_shop_that_is_not_a_subdomain_label(builtin: YamlCatalog, shop: str) -> None:
    shopify = entry(builtin, "shopify")

    with pytest.raises(InvalidRequest, match=r"connection_config\.shop"):
        shopify.check_connection_config({"shop": shop})


def test_every_url_placeholder_in_the_builtin_catalog_is_declared(builtin: YamlCatalog) -> None:
    for spec in builtin.all():
        config = spec.check_connection_config({f.name: "sample" for f in spec.connection_config})
        for url in (spec.authorization_url, spec.token_url, spec.refresh_url, spec.revocation_url):
            if url:
                assert "{" not in spec.render(url, config), (spec.name, url)


# -- the operator's extra file -------------------------------------------------------------------


def test_an_extra_file_adds_a_provider_and_replaces_one_by_name(tmp_path: Path) -> None:
    extra = write(
        tmp_path,
        """
        acme:
          display_name: Acme
          authorization_url: https://acme.example/oauth/authorize
          token_url: https://acme.example/oauth/token
          default_scopes: [profile]
          token_lifetime_default: 900
        github:
          display_name: GitHub Enterprise
          authorization_url: https://ghe.example/login/oauth/authorize
          token_url: https://ghe.example/login/oauth/access_token
          token_request_auth_method: client_secret_post
        """,
    )

    catalog = YamlCatalog.load(extra)

    acme = catalog.get("acme")
    assert acme is not None
    assert acme.default_scopes == ("profile",)
    assert acme.token_lifetime_default == 900
    github = catalog.get("github")
    assert github is not None
    assert github.display_name == "GitHub Enterprise"
    assert github.token_url == "https://ghe.example/login/oauth/access_token"
    assert github.default_scopes == ()  # replaced whole, not merged key by key
    assert catalog.get("google") is not None
    names = [spec.name for spec in catalog.all()]
    assert names.count("github") == 1
    assert names == sorted(names)


def test_an_unreadable_extra_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot be read"):
        YamlCatalog.load(tmp_path / "missing.yaml")


def test_an_unknown_key_names_the_entry_and_the_key(tmp_path: Path) -> None:
    extra = write(tmp_path, "acme:" + MINIMAL + "  client_secret: do-not-put-it-here\n")

    with pytest.raises(CatalogError) as caught:
        YamlCatalog.load(extra)

    message = str(caught.value)
    assert "'acme'" in message
    assert "client_secret" in message
    assert "unknown key" in message
    assert str(extra) in message


def test_an_unknown_nested_key_names_its_path() -> None:
    text = "acme:" + MINIMAL + "  connection_config:\n    shop:\n      pattern: '^x$'\n      colour: red\n"

    with pytest.raises(CatalogError, match=r"entry 'acme'.*connection_config\.shop\.colour"):
        parse_catalog(text, "extra.yaml")


@pytest.mark.parametrize("missing", ["display_name", "authorization_url", "token_url"])
def test_a_missing_required_key_names_the_entry_and_the_key(missing: str) -> None:
    lines = [line for line in MINIMAL.splitlines() if not line.strip().startswith(missing + ":")]
    text = "acme:" + "\n".join(lines) + "\n"

    with pytest.raises(CatalogError) as caught:
        parse_catalog(text, "extra.yaml")

    message = str(caught.value)
    assert "extra.yaml" in message
    assert "'acme'" in message
    assert f"missing key '{missing}'" in message


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("  body_format: xml\n", "body_format"),
        ("  token_request_auth_method: private_key_jwt\n", "token_request_auth_method"),
        ("  auth_mode: saml\n", "auth_mode"),
        ("  token_lifetime_default: soon\n", "token_lifetime_default"),
    ],
)
def test_a_wrong_value_names_the_entry_and_the_key(line: str, key: str) -> None:
    with pytest.raises(CatalogError, match=rf"entry 'acme': key '{key}'"):
        parse_catalog("acme:" + MINIMAL + line, "extra.yaml")


def test_invalid_yaml_is_a_catalog_error(tmp_path: Path) -> None:
    extra = write(tmp_path, "acme:\n  display_name: [unclosed\n  token_url: x\n")

    with pytest.raises(CatalogError, match="not valid YAML"):
        YamlCatalog.load(extra)


@pytest.mark.parametrize("document", ["- a\n- b\n", "just a string\n"])
def test_a_document_that_is_not_a_mapping_is_a_catalog_error(document: str) -> None:
    with pytest.raises(CatalogError, match="must be a mapping"):
        parse_catalog(document, "extra.yaml")


@pytest.mark.parametrize("value", ["[a, b]", "a string", "42", "null"])
def test_a_non_mapping_entry_names_the_entry(value: str) -> None:
    with pytest.raises(CatalogError, match="entry 'acme' must be a mapping"):
        parse_catalog(f"acme: {value}\n", "extra.yaml")


def test_an_empty_file_adds_nothing() -> None:
    assert parse_catalog("", "extra.yaml") == {}
    assert parse_catalog("# only a comment\n", "extra.yaml") == {}


# -- placeholders and patterns -------------------------------------------------------------------


@pytest.mark.parametrize("key", ["authorization_url", "token_url", "refresh_url", "revocation_url"])
def test_a_url_placeholder_not_declared_in_connection_config_is_refused(key: str) -> None:
    urls = {
        "authorization_url": "https://acme.example/authorize",
        "token_url": "https://acme.example/token",
        key: "https://{tenant}.acme.example/" + key,
    }
    text = "acme:\n  display_name: Acme\n" + "".join(f"  {k}: {v}\n" for k, v in urls.items())

    with pytest.raises(CatalogError) as caught:
        parse_catalog(text, "extra.yaml")

    message = str(caught.value)
    assert "'acme'" in message
    assert key in message
    assert "{tenant}" in message


def test_a_declared_placeholder_passes() -> None:
    text = textwrap.dedent(
        """
        acme:
          display_name: Acme
          authorization_url: https://{tenant}.acme.example/authorize
          token_url: https://{tenant}.acme.example/token
          connection_config:
            tenant:
              pattern: "^[a-z]+$"
        """
    )

    acme = parse_catalog(text, "extra.yaml")["acme"]

    assert acme.render(acme.token_url, acme.check_connection_config({"tenant": "blue"})) == (
        "https://blue.acme.example/token"
    )


def test_a_connection_config_pattern_that_is_not_a_regex_is_refused() -> None:
    text = "acme:" + MINIMAL + "  connection_config:\n    shop:\n      pattern: '[unclosed'\n"

    with pytest.raises(CatalogError, match=r"entry 'acme': key 'connection_config\.shop\.pattern'"):
        parse_catalog(text, "extra.yaml")
