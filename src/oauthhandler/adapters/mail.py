"""Mailers: SMTP through aiosmtplib, or the log when no SMTP host is set (links included, for development)."""

from __future__ import annotations

import logging
from email.message import EmailMessage

import aiosmtplib

from oauthhandler.domain.errors import MailUnavailable

log = logging.getLogger("oauthhandler.mail")


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        use_tls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._username, self._password = username, password
        self._starttls, self._use_tls, self._timeout = starttls, use_tls, timeout

    async def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self._sender, to, subject
        message.set_content(body)
        try:
            await aiosmtplib.send(
                message,
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                start_tls=self._starttls,
                use_tls=self._use_tls,
                timeout=self._timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.error("mail to %s not sent: %s", to, type(exc).__name__)
            raise MailUnavailable() from None


class LogMailer:
    """Writes each mail to the log; the service's answer for development without SMTP."""

    async def send(self, to: str, subject: str, body: str) -> None:
        log.warning("mail to %s (no SMTP host set, so it is logged): %s\n%s", to, subject, body)
