"""The domain's one error vocabulary; web/errors.py maps each to HTTP."""

from __future__ import annotations

import re

_CODE = re.compile(r"^[a-z0-9_]{1,64}$")


def safe_code(error: str) -> str:
    """A provider's error code as we pass it on: a short snake_case word, or provider_error."""
    return error if _CODE.match(error) else "provider_error"


class DomainError(Exception):
    """Base of every error a use-case raises on purpose."""

    code = "error"
    detail = "The request could not be completed."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.detail)
        self.detail = detail or self.detail


class InvalidRequest(DomainError):
    code = "invalid_request"
    detail = "The request is malformed."


class Unauthorized(DomainError):
    code = "unauthorized"
    detail = "Missing or wrong credentials."


class EmailTaken(DomainError):
    code = "email_taken"
    detail = "An account with this email already exists."


class EmailNotVerified(DomainError):
    code = "email_not_verified"
    detail = "Verify your email address first; the link is in the mail we sent."


class InvalidToken(DomainError):
    code = "invalid_token"
    detail = "This link is invalid, already used or expired."


class NotFound(DomainError):
    code = "not_found"
    detail = "Not found."


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"
    detail = "No such API key."


class UnknownProvider(NotFound):
    code = "provider_not_found"
    detail = "No such provider."


class ProviderNotEnabled(NotFound):
    code = "provider_not_enabled"
    detail = "This provider is not enabled for your account."


class ConnectionNotFound(NotFound):
    code = "connection_not_found"
    detail = "No connection for this end user and provider."


class ConnectLinkGone(DomainError):
    code = "connect_link_gone"
    detail = "This connect link was already used or has expired. Ask the app for a new one."


class InvalidState(DomainError):
    """The callback's state is unknown or was already used: nothing is stored."""

    code = "invalid_state"
    detail = "This authorization response is unknown or was already used."


class AuthorizationFailed(DomainError):
    """The callback was for a known flow but failed; the end user goes back to redirect_url."""

    code = "authorization_failed"
    detail = "The authorization did not complete."

    def __init__(self, code: str, detail: str, redirect_url: str | None, provider: str, end_user_id: str) -> None:
        super().__init__(detail)
        self.code = code
        self.redirect_url = redirect_url
        self.provider = provider
        self.end_user_id = end_user_id


class GrantRejected(DomainError):
    """The provider answered the token request with an error such as invalid_grant."""

    code = "grant_rejected"
    detail = "The provider rejected the grant."

    def __init__(self, error: str, detail: str | None = None) -> None:
        super().__init__(detail or f"The provider answered {error}.")
        self.error = error


class ReauthorizationRequired(DomainError):
    code = "reauthorization_required"
    detail = "The provider rejected the refresh token; the end user must connect again."


class ProviderUnavailable(DomainError):
    code = "provider_unavailable"
    detail = "The provider could not be reached or answered wrongly; try again later."


class MailUnavailable(DomainError):
    code = "mail_unavailable"
    detail = "The verification mail could not be sent; nothing was stored. Try again later."


class AuthModeNotSupported(DomainError):
    code = "auth_mode_not_supported"
    detail = "This provider's auth mode is not supported yet."
