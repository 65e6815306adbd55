"""Use-cases: sign up, verify the email, and tell who is calling (password or API key)."""

from __future__ import annotations

import re

from oauthhandler.domain.errors import (
    EmailNotVerified,
    EmailTaken,
    InvalidRequest,
    InvalidToken,
    MailUnavailable,
    Unauthorized,
)
from oauthhandler.domain.model import Account, EmailVerification, has_control_characters
from oauthhandler.domain.randomness import digest, new_id, new_token
from oauthhandler.domain.services import Services

MIN_PASSWORD_LENGTH = 10
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def check_signup(email: str, password: str) -> str:
    """The normalized email, or InvalidRequest naming the bad field."""
    email = email.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email) or has_control_characters(email):
        raise InvalidRequest("email: not a valid email address")
    if "\x00" in password:
        raise InvalidRequest("password: must not contain NUL characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidRequest(f"password: must be at least {MIN_PASSWORD_LENGTH} characters")
    return email


async def sign_up(svc: Services, email: str, password: str) -> Account:
    """Create an unverified account and mail its verification link."""
    email = check_signup(email, password)
    now = svc.clock.now()
    account = Account(new_id(), email, await svc.hasher.hash(password), False, now)
    token = new_token()
    async with svc.db.transaction() as uow:
        if not await uow.accounts.add(account):
            raise EmailTaken()
        await uow.verifications.add(EmailVerification(digest(token), account.id, now + svc.policy.verification_ttl))
        await uow.commit()
    link = f"{svc.policy.public_url}/verify-email?token={token}"
    body = f"Open this link to verify your email address:\n{link}\n\nIt works once and expires in 24 hours.\n"
    try:
        await svc.mailer.send(email, "Verify your email for OAuthHandler", body)
    except MailUnavailable:
        # Without the mail the account could never be verified: forget it, so signing up again works.
        async with svc.db.transaction() as uow:
            await uow.accounts.delete(account.id)
            await uow.commit()
        raise
    return account


async def verify_email(svc: Services, token: str) -> Account:
    """Mark the account verified; the token works once and expires."""
    async with svc.db.transaction() as uow:
        account_id = await uow.verifications.consume(digest(token), svc.clock.now()) if token else None
        account = await uow.accounts.get(account_id) if account_id else None
        if account is None:
            raise InvalidToken()
        await uow.accounts.mark_verified(account.id)
        await uow.commit()
    return Account(account.id, account.email, account.password_hash, True, account.created_at)


async def authenticate_password(svc: Services, email: str, password: str, *, require_verified: bool = True) -> Account:
    """The account for an email and password (argon2id, slow by design)."""
    async with svc.db.read() as uow:
        account = await uow.accounts.by_email(email.strip().lower())
    # An unknown email is verified against no hash, which costs the same time, so timing tells nothing.
    if not await svc.hasher.verify(account.password_hash if account else None, password) or account is None:
        raise Unauthorized()
    if require_verified and not account.email_verified:
        raise EmailNotVerified()
    return account


async def authenticate_api_key(svc: Services, key: str) -> Account:
    """The account owning a live API key (one indexed read of its SHA-256)."""
    async with svc.db.read() as uow:
        account = await uow.api_keys.account_for(digest(key))
    if account is None:
        raise Unauthorized()
    if not account.email_verified:
        raise EmailNotVerified()
    return account
