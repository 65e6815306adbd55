"""A real OAuth 2 authorization server on loopback, built from Authlib's server classes."""

from __future__ import annotations

import html
import io
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from authlib.common.security import generate_token
from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector, current_token
from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Request
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, InvalidRequestError, TokenMixin, grants, list_to_scope
from authlib.oauth2.rfc6749.models import AuthorizationCodeMixin
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9207 import IssuerParameter
from flask import Flask, Response, jsonify
from flask import request as flask_request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request

FAILURE_MODES = ("http_500", "timeout", "garbage", "invalid_grant", "slack_error")
AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
_CANNED = {  # mode -> (status, body, mimetype)
    "http_500": (500, "<html><body><h1>500 Internal Server Error</h1></body></html>", "text/html"),
    "garbage": (200, "<html>this is not json", "application/json"),
    "invalid_grant": (400, '{"error": "invalid_grant"}', "application/json"),
    "slack_error": (200, '{"ok": false, "error": "invalid_refresh_token"}', "application/json"),
}


@dataclass(frozen=True)
class User:
    """The fixed end user."""

    id: int
    username: str

    def get_user_id(self) -> int:
        """Return the user id."""
        return self.id


ALICE = User(1, "alice")


@dataclass
class Client(ClientMixin):
    """A registered confidential client."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]
    token_endpoint_auth_method: str
    scope: str
    require_pkce: bool

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = self.scope.split()
        return self.scope if not scope else list_to_scope([s for s in scope.split() if s in allowed])

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(self.client_secret, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.token_endpoint_auth_method if endpoint == "token" else method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    """An issued authorization code."""

    code: str
    client_id: str
    redirect_uri: str | None
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float

    def get_redirect_uri(self) -> str | None:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass
class Token(TokenMixin):
    """An issued access token with its optional refresh token."""

    client_id: str
    access_token: str
    refresh_token: str | None
    scope: str
    lifetime: int
    issued_at: float = field(default_factory=time.time)
    access_revoked: bool = False
    refresh_revoked: bool = False

    def check_client(self, client: Client) -> bool:
        return self.client_id == client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.lifetime

    def is_expired(self) -> bool:
        return time.time() >= self.issued_at + self.lifetime

    def is_revoked(self) -> bool:
        return self.access_revoked

    def get_user(self) -> User:
        return ALICE


class _Server(AuthorizationServer):
    """Authlib's Flask server that also accepts a werkzeug request built by the token view."""

    owner: LoopbackAuthServer

    def create_oauth2_request(self, request: Request | None) -> FlaskOAuth2Request:
        return FlaskOAuth2Request(request if request is not None else flask_request)


class _CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def save_authorization_code(self, code: str, request: Any) -> None:
        data, owner = request.payload.data, self.server.owner
        item = AuthorizationCode(
            code,
            request.client.client_id,
            request.payload.redirect_uri,
            request.scope,
            data.get("code_challenge"),
            data.get("code_challenge_method"),
            time.time() + owner.code_lifetime,
        )
        with owner.lock:
            owner.codes[code] = item

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        with self.server.owner.lock:
            item = self.server.owner.codes.get(code)
        if item and item.client_id == client.client_id and time.time() < item.expires_at:
            return item
        return None

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        with self.server.owner.lock:
            self.server.owner.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: AuthorizationCode) -> User:
        return ALICE


class _RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        with self.server.owner.lock:
            token = self.server.owner.by_refresh.get(refresh_token)
        return token if token and not token.refresh_revoked else None

    def authenticate_user(self, refresh_token: Token) -> User:
        return ALICE

    def issue_token(self, user: User, refresh_token: Token) -> dict[str, Any]:
        scope = self.request.payload.scope or refresh_token.get_scope()
        rotate = self.server.owner.rotate_refresh_tokens
        return self.generate_token(user=user, scope=scope, include_refresh_token=rotate)

    def revoke_old_credential(self, refresh_token: Token) -> None:
        if self.server.owner.rotate_refresh_tokens:
            with self.server.owner.lock:
                refresh_token.refresh_revoked = True


class _PKCE(CodeChallenge):
    """Authlib's PKCE check, made mandatory (S256 only) for clients registered with require_pkce."""

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if grant.request.client.require_pkce and not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge'")
        if data.get("code_challenge") and data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Only code_challenge_method=S256 is supported")
        super().validate_code_challenge(grant, redirect_uri)


class _Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        owner = self.server.owner
        with owner.lock:
            return owner.by_access.get(token_string) or owner.by_refresh.get(token_string)

    def revoke_token(self, token: Token, request: Any) -> None:
        with self.server.owner.lock:
            token.access_revoked = token.refresh_revoked = True
            self.server.owner.revoked_tokens.append(request.form["token"])


class _Issuer(IssuerParameter):
    def __init__(self, owner: LoopbackAuthServer) -> None:
        self.owner = owner

    def get_issuer(self) -> str:
        return self.owner.issuer


class _Validator(BearerTokenValidator):
    def __init__(self, owner: LoopbackAuthServer) -> None:
        super().__init__()
        self.owner = owner

    def authenticate_token(self, token_string: str) -> Token | None:
        with self.owner.lock:
            return self.owner.by_access.get(token_string)


class _QuietHandler(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: Any) -> None:
        """Keep test output clean."""


class LoopbackAuthServer:
    """Authorization server + protected resource on 127.0.0.1, run in a background thread."""

    def __init__(self, *, issuer_in_redirect: bool = False) -> None:
        self.access_token_lifetime = 3600
        self.code_lifetime = 600
        self.omit_expires_in = False
        self.rotate_refresh_tokens = True
        self.auto_approve = False
        self.token_response_transform: Callable[[dict], dict] | None = None
        self.json_body = "reject"
        self.revoked_tokens: list[str] = []
        self.lock = threading.Lock()
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.by_access: dict[str, Token] = {}
        self.by_refresh: dict[str, Token] = {}
        self._requests: list[dict[str, Any]] = []
        self._failures: deque[tuple[str, float]] = deque()
        self._http: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.app = self._build_app(issuer_in_redirect)

    @property
    def base_url(self) -> str:
        if self._http is None:
            raise RuntimeError("LoopbackAuthServer is not started")
        return f"http://127.0.0.1:{self._http.server_port}"

    issuer = base_url
    authorization_url = property(lambda self: self.base_url + "/oauth/authorize")
    token_url = property(lambda self: self.base_url + "/oauth/token")
    revocation_url = property(lambda self: self.base_url + "/oauth/revoke")
    resource_url = property(lambda self: self.base_url + "/api/me")

    def start(self) -> LoopbackAuthServer:
        """Bind an ephemeral port and serve in a daemon thread."""
        self._http = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down."""
        if self._http is not None and self._thread is not None:
            self._http.shutdown()
            self._http.server_close()
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LoopbackAuthServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def register_client(
        self,
        client_id: str,
        client_secret: str,
        redirect_uris: list[str],
        *,
        token_endpoint_auth_method: str = "client_secret_basic",
        scope: str = "read write",
        require_pkce: bool = True,
    ) -> None:
        """Register (or replace) a confidential client."""
        if token_endpoint_auth_method not in AUTH_METHODS:
            raise ValueError(f"unsupported auth method {token_endpoint_auth_method!r}")
        client = Client(client_id, client_secret, list(redirect_uris), token_endpoint_auth_method, scope, require_pkce)
        with self.lock:
            self.clients[client_id] = client

    def fail_next_token_requests(self, mode: str, count: int = 1, *, delay: float = 5.0) -> None:
        """Make the next `count` token-endpoint requests misbehave in the given way."""
        if mode not in FAILURE_MODES:
            raise ValueError(f"unknown failure mode {mode!r}; expected one of {FAILURE_MODES}")
        with self.lock:
            self._failures.extend([(mode, delay)] * count)

    def token_requests(self, grant_type: str | None = None) -> list[dict[str, Any]]:
        """Requests that reached the token endpoint, optionally filtered by grant type."""
        with self.lock:
            return [r for r in self._requests if grant_type is None or r["grant_type"] == grant_type]

    def reset_counters(self) -> None:
        """Forget recorded token requests and revocations (pending failures are kept)."""
        with self.lock:
            self._requests.clear()
            self.revoked_tokens.clear()

    def approve(self, authorize_url: str, *, allow: bool = True) -> str:
        """Act as the user's browser: load the consent form, submit it, return the redirect Location."""
        with httpx.Client(follow_redirects=False) as http:
            page = http.get(authorize_url)
            if page.status_code != 200:
                return page.headers.get("location", "")
            resp = http.post(
                self.authorization_url, data={**dict(page.url.params), "confirm": "yes" if allow else "no"}
            )
            return resp.headers["location"]

    # -- internals ---------------------------------------------------------------------------

    def _save_token(self, token: dict[str, Any], request: Any) -> None:
        item = Token(
            request.client.client_id,
            token["access_token"],
            token.get("refresh_token"),
            token.get("scope", ""),
            self.access_token_lifetime,
        )
        with self.lock:
            self.by_access[item.access_token] = item
            if item.refresh_token:
                self.by_refresh[item.refresh_token] = item

    def _build_app(self, issuer_in_redirect: bool) -> Flask:
        app = Flask(f"authserver-{id(self)}")
        server = _Server(app, query_client=self.clients.get, save_token=self._save_token)
        server.owner = self
        server.register_token_generator(
            "default",
            BearerTokenGenerator(
                lambda **_: generate_token(42),
                lambda **_: generate_token(48),
                lambda client, grant_type: self.access_token_lifetime,
            ),
        )
        server.register_grant(_CodeGrant, [_PKCE(required=True)])
        server.register_grant(_RefreshGrant)
        server.register_endpoint(_Revocation)
        issuer_ext = _Issuer(self) if issuer_in_redirect else None
        if issuer_ext is not None:
            server.register_extension(issuer_ext)
        require_oauth = ResourceProtector()
        require_oauth.register_token_validator(_Validator(self))

        @app.route("/oauth/authorize", methods=["GET", "POST"])
        def authorize() -> Response:
            try:
                grant = server.get_consent_grant(end_user=ALICE)
            except OAuth2Error as error:
                resp = server.handle_error_response(None, error)
                if issuer_ext is not None:  # RFC 9207 covers error redirects too
                    issuer_ext.add_issuer_parameter(server, resp)
                return resp
            if flask_request.method == "POST" or self.auto_approve:
                approved = self.auto_approve or flask_request.form.get("confirm") == "yes"
                return server.create_authorization_response(grant=grant, grant_user=ALICE if approved else None)
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in flask_request.args.items()
            )
            return Response(
                f'<!doctype html><title>Consent</title><form method="post">{hidden}'
                f"<p>{html.escape(grant.client.client_id)} wants: {html.escape(grant.request.scope)}</p>"
                '<button name="confirm" value="yes">Allow</button>'
                '<button name="confirm" value="no">Deny</button></form>',
                mimetype="text/html",
            )

        @app.post("/oauth/token")
        def token() -> Response:
            failure = self._record_and_pop_failure()
            if failure is not None:
                mode, delay = failure
                if mode != "timeout":
                    status, text, mimetype = _CANNED[mode]
                    return Response(text, status, mimetype=mimetype)
                time.sleep(delay)
            is_json = flask_request.mimetype == "application/json"
            if self.json_body == "require" and not is_json:
                return _json_error(400, "invalid_request", "body must be application/json")
            req: Request = flask_request
            if is_json and self.json_body in ("accept", "require"):
                try:
                    req = _form_request(flask_request, json.loads(flask_request.get_data(as_text=True)))
                except (ValueError, AttributeError):
                    return _json_error(400, "invalid_request", "malformed JSON body")
            resp = server.create_token_response(req)
            if resp.status_code == 200 and (self.omit_expires_in or self.token_response_transform):
                body = json.loads(resp.get_data(as_text=True))
                if self.omit_expires_in:
                    body.pop("expires_in", None)
                if self.token_response_transform:
                    body = self.token_response_transform(body)
                resp.set_data(json.dumps(body))
            return resp

        @app.post("/oauth/revoke")
        def revoke() -> Response:
            return server.create_endpoint_response(RevocationEndpoint.ENDPOINT_NAME)

        @app.get("/api/me")
        @require_oauth()
        def me() -> Response:
            return jsonify(
                sub=str(ALICE.id),
                name=ALICE.username,
                client_id=current_token.client_id,
                scope=current_token.scope,
            )

        return app

    def _record_and_pop_failure(self) -> tuple[str, float] | None:
        req = flask_request
        body = req.get_data(cache=True, as_text=True)
        try:
            fields = json.loads(body) if req.mimetype == "application/json" else dict(parse_qsl(body))
        except ValueError:
            fields = {}
        fields = fields if isinstance(fields, dict) else {}
        client_id = extract_basic_authorization(req.headers)[0] or fields.get("client_id")
        record = {
            "grant_type": fields.get("grant_type"),
            "client_id": client_id,
            "headers": dict(req.headers),
            "body": body,
            "content_type": req.content_type or "",
            "time": time.time(),
        }
        with self.lock:
            self._requests.append(record)
            return self._failures.popleft() if self._failures else None


def _json_error(status: int, error: str, description: str) -> Response:
    """Build an RFC 6749 style error response."""
    return Response(
        json.dumps({"error": error, "error_description": description}),
        status=status,
        mimetype="application/json",
    )


def _form_request(req: Request, data: dict[str, Any]) -> Request:
    """Re-encode a JSON token request as the form request Authlib expects."""
    body = urlencode({k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}).encode()
    environ = dict(req.environ, CONTENT_TYPE="application/x-www-form-urlencoded", CONTENT_LENGTH=str(len(body)))
    environ["wsgi.input"] = io.BytesIO(body)
    return Request(environ)
