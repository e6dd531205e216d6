"""The email sender contract: what reaches the mail system, read back and parsed as a mail client
would, is the message we sent (headers, both bodies, the Message-ID), and a mail system that
cannot take a message gives an `EmailDeliveryError`."""

from __future__ import annotations

import email
import email.message
import email.policy
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import boto3
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses import ses_backends
from moto.ses.models import RawMessage

from adapters.clock import FixedClock
from adapters.email.file_sender import FileEmailSender
from adapters.email.ses_sender import SesEmailSender
from adapters.email.smtp_sender import SmtpEmailSender
from application.outbox import EmailMessage
from application.ports.email import EmailDeliveryError, EmailSender

SENDER = "Funland Park <upgrades@funland.example>"
REGION = "us-east-1"
MESSAGE = EmailMessage(
    id=UUID("6f1c2a9e-4b7d-4e0a-9c3b-2d5e8f1a7b40"),
    to="ana.muster@example.com",
    subject="Ihr Upgrade – bestätigt ✓",
    text="Hallo Ana,\n\nIhr Upgrade auf Non-stop ist bestätigt. Grüße aus dem Park!\n",
    html="<p>Hallo Ana,</p>\n<p>Ihr Upgrade auf <b>Non-stop</b> ist bestätigt – Grüße!</p>\n",
)

Mailbox = Callable[[], list[bytes]]  # the raw bytes of every message delivered so far


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SmtpTestServer:
    """An aiosmtpd server on a loopback port that keeps every envelope it accepts. Set
    `rcpt_reply` or `data_reply` (e.g. "550 5.1.1 no such user") to make it refuse."""

    def __init__(self, port: int | None = None, **smtp_options: Any) -> None:
        self.port = port or free_port()
        self.received: list[Envelope] = []
        self.rcpt_reply: str | None = None
        self.data_reply: str | None = None
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **smtp_options)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply:
            return self.data_reply
        self.received.append(envelope)
        return "250 OK"

    def messages(self) -> list[bytes]:
        return [bytes(envelope.content or b"") for envelope in self.received]

    def __enter__(self) -> SmtpTestServer:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()


def sesv2_client() -> Any:
    return boto3.client(
        "sesv2",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def parse(raw: bytes) -> email.message.EmailMessage:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def body(parsed: email.message.EmailMessage, subtype: str) -> str:
    part = parsed.get_body((subtype,))
    assert part is not None, f"no text/{subtype} part"
    assert part.get_content_type() == f"text/{subtype}"
    # On the wire a line ends in CRLF; a mail client shows a line break either way.
    return str(part.get_content()).replace("\r\n", "\n")


class EmailSenderContract:
    @pytest.fixture
    def sender(self) -> EmailSender:
        raise NotImplementedError("an adapter's suite provides the sender")

    @pytest.fixture
    def mailbox(self) -> Mailbox:
        raise NotImplementedError("an adapter's suite provides the mailbox")

    @pytest.fixture
    def broken_sender(self) -> EmailSender:
        """A sender whose mail system cannot take anything."""
        raise NotImplementedError("an adapter's suite provides the broken sender")

    def test_the_message_arrives_with_its_headers(
        self, sender: EmailSender, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        sender.send(MESSAGE)

        [raw] = mailbox()
        parsed = parse(raw)
        assert parsed["To"] == MESSAGE.to
        assert parsed["From"] == SENDER
        assert parsed["Subject"] == "Ihr Upgrade – bestätigt ✓"
        assert parsed["Message-ID"] == f"<{MESSAGE.id}@funland.example>"
        assert parsed["Date"].datetime == clock.now()

    def test_both_bodies_arrive_intact_as_alternatives(
        self, sender: EmailSender, mailbox: Mailbox
    ) -> None:
        sender.send(MESSAGE)

        [raw] = mailbox()
        parsed = parse(raw)
        assert parsed.get_content_type() == "multipart/alternative"
        assert body(parsed, "plain") == MESSAGE.text
        assert body(parsed, "html") == MESSAGE.html

    def test_awkward_lines_arrive_unchanged(self, sender: EmailSender, mailbox: Mailbox) -> None:
        # A lone dot ends an SMTP transfer, "From " lines get mangled by mbox tools, and a
        # line past 998 characters breaks the line limit unless it is encoded.
        text = ".\n.leading dot\nFrom the park\n" + "ä" * 700 + "x" * 700 + "\n"
        sender.send(EmailMessage(MESSAGE.id, MESSAGE.to, MESSAGE.subject, text, MESSAGE.html))

        [raw] = mailbox()
        assert body(parse(raw), "plain") == text

    def test_a_resent_message_keeps_its_message_id(
        self, sender: EmailSender, mailbox: Mailbox
    ) -> None:
        sender.send(MESSAGE)
        sender.send(MESSAGE)

        ids = {parse(raw)["Message-ID"] for raw in mailbox()}
        assert ids == {f"<{MESSAGE.id}@funland.example>"}

    def test_different_messages_arrive_separately(
        self, sender: EmailSender, mailbox: Mailbox
    ) -> None:
        other = EmailMessage(
            UUID("0b8e5c1d-2f3a-4c6b-8d9e-1a2b3c4d5e6f"), "ben@example.com", "Hi", "Hi", "<p>Hi</p>"
        )
        sender.send(MESSAGE)
        sender.send(other)

        arrived = {(parse(raw)["To"], parse(raw)["Subject"]) for raw in mailbox()}
        assert arrived == {(MESSAGE.to, MESSAGE.subject), ("ben@example.com", "Hi")}

    def test_a_mail_system_that_cannot_take_the_message_raises_a_delivery_error(
        self, broken_sender: EmailSender, mailbox: Mailbox
    ) -> None:
        with pytest.raises(EmailDeliveryError):
            broken_sender.send(MESSAGE)

        assert mailbox() == []


class TestFileEmailSender(EmailSenderContract):
    @pytest.fixture
    def sender(self, tmp_path: Path, clock: FixedClock) -> EmailSender:
        return FileEmailSender(tmp_path / "mail", SENDER, clock)

    @pytest.fixture
    def mailbox(self, tmp_path: Path) -> Mailbox:
        return lambda: [path.read_bytes() for path in sorted((tmp_path / "mail").glob("*.eml"))]

    @pytest.fixture
    def broken_sender(self, tmp_path: Path, clock: FixedClock) -> EmailSender:
        blocker = tmp_path / "mail"
        blocker.write_text("a file where the mail folder should be")
        return FileEmailSender(blocker / "inbox", SENDER, clock)


class TestSesEmailSender(EmailSenderContract):
    @pytest.fixture
    def ses(self) -> Iterator[Any]:
        with mock_aws():
            client = sesv2_client()
            client.create_email_identity(EmailIdentity="funland.example")
            yield client

    @pytest.fixture
    def sender(self, ses: Any, clock: FixedClock) -> EmailSender:
        return SesEmailSender(ses, SENDER, clock)

    @pytest.fixture
    def mailbox(self, ses: Any) -> Mailbox:
        backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
        return lambda: [
            sent.raw_data.encode() for sent in backend.sent_messages if isinstance(sent, RawMessage)
        ]

    @pytest.fixture
    def broken_sender(self, ses: Any, clock: FixedClock) -> EmailSender:
        return SesEmailSender(ses, "Someone Else <noreply@unverified.example>", clock)


class TestSmtpEmailSender(EmailSenderContract):
    @pytest.fixture
    def server(self) -> Iterator[SmtpTestServer]:
        with SmtpTestServer() as server:
            yield server

    @pytest.fixture
    def sender(self, server: SmtpTestServer, clock: FixedClock) -> EmailSender:
        return SmtpEmailSender("127.0.0.1", server.port, SENDER, clock, timeout=5)

    @pytest.fixture
    def mailbox(self, server: SmtpTestServer) -> Mailbox:
        return server.messages

    @pytest.fixture
    def broken_sender(self, clock: FixedClock) -> EmailSender:
        return SmtpEmailSender("127.0.0.1", free_port(), SENDER, clock, timeout=5)
