"""A real SMTP server on loopback (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import email
import re
import socket
import time
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LoopbackSmtpServer:
    """Started with start(); `port`, and `wait_for(to)` returns the newest mail to an address."""

    def __init__(self) -> None:
        self.inbox = _Inbox()
        self.port = free_port()
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> LoopbackSmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def wait_for(self, to: str, timeout: float = 10.0) -> Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.inbox.messages):
                if message["To"] == to:
                    return message
            time.sleep(0.05)
        raise AssertionError(f"no mail to {to} within {timeout}s")

    def link_in_mail_to(self, to: str, path: str = "/verify-email") -> str:
        body = self.wait_for(to).get_payload(decode=True)
        assert isinstance(body, bytes)
        match = re.search(rf"(https?://\S+{re.escape(path)}\S*)", body.decode())
        assert match, f"no {path} link in the mail to {to}"
        return match.group(1)
