"""A real SMTP server on loopback that Django's SMTP backend delivers to during a test.

Use the ``smtp_server`` fixture (registered for this folder in ``conftest.py``; import it into
another folder's conftest to use it there)::

    def test_welcome(smtp_server):
        ...
        message = smtp_server.last_to("reader@example.net")
        (link,) = smtp_server.links(message)
"""

from __future__ import annotations

import html
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller

# Stops at whitespace, quotes and angle brackets, i.e. where a URL ends in text or an HTML
# attribute; trailing sentence punctuation is stripped below.
_URL = re.compile(r"""https?://[^\s<>"']+""")


class _Handler:
    """aiosmtpd handler that parses and keeps each message it accepts."""

    def __init__(self, server: SMTPServer) -> None:
        self._server = server

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode()
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        self._server._add(envelope.mail_from, list(envelope.rcpt_tos), message)
        return "250 Message accepted for delivery"


class SMTPServer:
    """What the fixture yields: the received messages and helpers to read them."""

    def __init__(self) -> None:
        # Delivery happens on aiosmtpd's thread, reads on the test's; the condition guards both.
        self._received = threading.Condition()
        self.envelopes: list[tuple[str, list[str], EmailMessage]] = []
        self.host = "127.0.0.1"
        self.port = 0

    def _add(self, mail_from: str, rcpt_tos: list[str], message: EmailMessage) -> None:
        with self._received:
            self.envelopes.append((mail_from, rcpt_tos, message))
            self._received.notify_all()

    @property
    def messages(self) -> list[EmailMessage]:
        with self._received:
            return [message for _, _, message in self.envelopes]

    def wait_for(self, count: int = 1, timeout: float = 10) -> list[EmailMessage]:
        """Block until at least ``count`` messages arrived (mail may be sent by another thread
        or process, e.g. a live server), then return all of them."""
        with self._received:
            if not self._received.wait_for(lambda: len(self.envelopes) >= count, timeout):
                raise AssertionError(
                    f"expected {count} email(s) within {timeout}s, got {len(self.envelopes)}"
                )
            return [message for _, _, message in self.envelopes]

    def last_to(self, address: str) -> EmailMessage:
        """The latest message whose envelope recipients include ``address`` (case-insensitive)."""
        wanted = address.casefold()
        with self._received:
            for _, rcpt_tos, message in reversed(self.envelopes):
                if wanted in (rcpt.casefold() for rcpt in rcpt_tos):
                    return message
        raise AssertionError(f"no email to {address}; got {len(self.envelopes)} email(s)")

    @staticmethod
    def body(message: EmailMessage, subtype: str = "plain") -> str | None:
        """The text/<subtype> part's decoded content, or None if the message has none."""
        part = message.get_body(preferencelist=(subtype,))
        return None if part is None else str(part.get_content())

    def links(self, message: EmailMessage) -> list[str]:
        """Every http(s) URL in the text/plain part, or in the HTML part if there is no plain
        one, in order of appearance."""
        text = self.body(message, "plain")
        if text is None:
            text = html.unescape(self.body(message, "html") or "")
        return [url.rstrip(".,;:!?)]") for url in _URL.findall(text)]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SMTPServer]:
    """Runs an SMTP server on 127.0.0.1 and points Django's SMTP backend at it."""
    server = SMTPServer()
    controller: Controller | None = None
    # The free port can be taken between probing and binding; retry a few times then.
    for attempt in range(3):
        port = _free_port()
        controller = Controller(_Handler(server), hostname="127.0.0.1", port=port)
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            if attempt == 2:
                raise
            time.sleep(0.1)
    assert controller is not None
    server.port = port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    try:
        yield server
    finally:
        controller.stop()


@contextmanager
def smtp_serving() -> Iterator[SMTPServer]:
    """The same server for other processes (`broadsheet worker` with EMAIL_HOST/EMAIL_PORT)."""
    server = SMTPServer()
    server.port = _free_port()
    controller = Controller(_Handler(server), hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
