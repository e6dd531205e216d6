"""Writes each email as an .eml file in a folder: the local build's mailbox."""

from __future__ import annotations

import logging
import os
import tempfile
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime
from pathlib import Path

from application.outbox import EmailMessage
from application.ports.clock import Clock
from application.ports.email import EmailDeliveryError

log = logging.getLogger(__name__)


def to_mime(message: EmailMessage, sender: str, clock: Clock) -> MimeMessage:
    """The message as RFC 5322 text, with a plain-text part and an HTML alternative."""
    mime = MimeMessage()
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(clock.now())
    domain = sender.rpartition("@")[2].rstrip(">") or "localhost"
    # The outbox id is the Message-ID, so a resent message is recognisably the same one.
    mime["Message-ID"] = f"<{message.id}@{domain}>"
    mime.set_content(message.text)
    mime.add_alternative(message.html, subtype="html")
    return mime


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
            data = to_mime(message, self._sender, self._clock).as_bytes()
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
