"""SmtpMailer against a real SMTP server on loopback (aiosmtpd); LogMailer into the log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

from oauthhandler.adapters.mail import LogMailer, SmtpMailer
from oauthhandler.domain.errors import MailUnavailable
from tests.support.smtp import LoopbackSmtpServer, free_port

LINK = "https://oauth.example/verify-email?token=abc123"
BODY = f"Hello Zoë,\n\nconfirm your address:\n{LINK}\n\nThanks.\n"


@pytest.fixture
def smtp() -> Iterator[LoopbackSmtpServer]:
    server = LoopbackSmtpServer().start()
    yield server
    server.stop()


async def test_smtp_mailer_delivers_from_to_subject_and_body(smtp: LoopbackSmtpServer) -> None:
    mailer = SmtpMailer("127.0.0.1", smtp.port, "OAuthHandler <noreply@oauth.example>", timeout=5.0)

    await mailer.send("dev@example.com", "Verify your email address", BODY)

    message = await asyncio.to_thread(smtp.wait_for, "dev@example.com")
    assert message["From"] == "OAuthHandler <noreply@oauth.example>"
    assert message["To"] == "dev@example.com"
    assert message["Subject"] == "Verify your email address"
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    text = payload.decode(message.get_content_charset() or "utf-8")
    assert text.replace("\r\n", "\n") == BODY
    assert await asyncio.to_thread(smtp.link_in_mail_to, "dev@example.com") == LINK


async def test_smtp_mailer_keeps_messages_to_different_people_apart(smtp: LoopbackSmtpServer) -> None:
    mailer = SmtpMailer("127.0.0.1", smtp.port, "noreply@oauth.example", timeout=5.0)

    await mailer.send("a@example.com", "For A", "body A")
    await mailer.send("b@example.com", "For B", "body B")

    assert (await asyncio.to_thread(smtp.wait_for, "a@example.com"))["Subject"] == "For A"
    assert (await asyncio.to_thread(smtp.wait_for, "b@example.com"))["Subject"] == "For B"
    assert len(smtp.inbox.messages) == 2


async def test_smtp_mailer_without_a_server_is_mail_unavailable() -> None:
    mailer = SmtpMailer("127.0.0.1", free_port(), "noreply@oauth.example", timeout=2.0)

    with pytest.raises(MailUnavailable):
        await mailer.send("dev@example.com", "Subject", "body")


async def test_log_mailer_writes_the_mail_and_its_link_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="oauthhandler.mail"):
        await LogMailer().send("dev@example.com", "Verify your email address", BODY)

    (record,) = [r for r in caplog.records if r.name == "oauthhandler.mail"]
    assert record.levelno >= logging.INFO
    text = record.getMessage()
    assert "dev@example.com" in text
    assert "Verify your email address" in text
    assert LINK in text
