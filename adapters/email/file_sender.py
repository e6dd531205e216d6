"""Writes each email as an .eml file in a folder: the local build's mailbox."""

from __future__ import annotations

import logging
import os
import quopri
import re
import tempfile
from email.header import Header
from email.utils import format_datetime
from pathlib import Path

from application.outbox import EmailMessage
from application.ports.clock import Clock
from application.ports.email import EmailDeliveryError

log = logging.getLogger(__name__)


def _header(value: str) -> str:
    """A header value, RFC 2047-encoded only when it is not plain ASCII."""
    return value if value.isascii() else Header(value, "utf-8").encode()


def _part(content_type: str, body: str) -> bytes:
    # Quoted-printable keeps ASCII text readable in the file (grep finds the code).
    encoded = quopri.encodestring(body.encode("utf-8"))
    headers = (
        f'Content-Type: {content_type}; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
    )
    return headers.encode() + encoded + b"\n"


def to_mime(message: EmailMessage, sender: str, clock: Clock) -> bytes:
    """The message as RFC 5322 bytes (LF line ends, as files on disk have them):
    multipart/alternative with a text and an HTML part.

    Written out directly rather than through `email.message`, whose header machinery costs
    ten times as much per message; tests parse the result back with the standard parser.
    """
    domain = sender.rpartition("@")[2].rstrip(">") or "localhost"
    boundary = f"tap-{message.id.hex}"
    head = (
        f"From: {_header(sender)}\n"
        f"To: {message.to}\n"
        f"Subject: {_header(message.subject)}\n"
        f"Date: {format_datetime(clock.now())}\n"
        # The outbox id is the Message-ID, so a resent message is recognisably the same one.
        f"Message-ID: <{message.id}@{domain}>\n"
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'
    )
    separator = f"--{boundary}\n".encode()
    return b"".join(
        (
            head.encode("ascii"),
            separator,
            _part("text/plain", message.text),
            separator,
            _part("text/html", message.html),
            f"--{boundary}--\n".encode(),
        )
    )


_LINE_END = re.compile(rb"\r\n|\r|\n")


def to_wire_mime(message: EmailMessage, sender: str, clock: Clock) -> bytes:
    """`to_mime` with CRLF line ends, the form SMTP and SES expect (RFC 5322 section 2.1).

    Every line end becomes CRLF, including any CR or CRLF the bodies brought with them:
    quoted-printable leaves those as they are, and a bare CR or LF on the wire is not allowed.
    """
    return _LINE_END.sub(b"\r\n", to_mime(message, sender, clock))


class FileEmailSender:
    """One `<message id>.eml` per message under `folder`; the same id again overwrites it."""

    def __init__(self, folder: Path, sender: str, clock: Clock) -> None:
        self._folder = folder
        self._sender = sender
        self._clock = clock

    def send(self, message: EmailMessage) -> None:
        path = self._folder / f"{message.id}.eml"
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            data = to_mime(message, self._sender, self._clock)
            # Write then rename, so a reader never sees half a message.
            handle, temporary = tempfile.mkstemp(dir=self._folder, suffix=".part")
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except OSError as error:
            raise EmailDeliveryError(f"cannot write {path}: {error.strerror}") from error
        log.info(
            "email written", extra={"to": message.to, "subject": message.subject, "path": str(path)}
        )


class RecordingEmailSender:
    """Keeps sent messages in a list; can be told to fail, to exercise the outbox's retries."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.failures_to_come = 0
        self.permanent = False

    def send(self, message: EmailMessage) -> None:
        if self.failures_to_come:
            self.failures_to_come -= 1
            raise EmailDeliveryError("mail server unavailable", permanent=self.permanent)
        self.sent.append(message)
