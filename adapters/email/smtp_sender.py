"""Sends email to an SMTP server: a relay, a local catcher, or SES's SMTP interface."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.utils import parseaddr

from adapters.email.file_sender import to_wire_mime
from application.outbox import EmailMessage
from application.ports.clock import Clock
from application.ports.email import EmailDeliveryError

log = logging.getLogger(__name__)


class SmtpEmailSender:
    """Hands each message to the server over its own connection, optionally with STARTTLS and
    AUTH. A 5xx reply is a permanent failure (RFC 5321's "do not repeat"); a 4xx reply, a
    dropped connection or a timeout is transient.

    A connection per message rather than a pooled one: nothing to keep alive, reconnect or
    lock between threads, and the outbox sends in small batches, where a handshake per message
    costs little.
    """

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        clock: Clock,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        # The envelope wants the bare address; the From header keeps the display name.
        self._envelope_from = parseaddr(sender)[1] or sender
        self._clock = clock
        self._username = username
        self._password = password
        self._starttls = starttls
        self._timeout = timeout

    def send(self, message: EmailMessage) -> None:
        data = to_wire_mime(message, self._sender, self._clock)
        try:
            self._hand_over(message.to, data)
        except smtplib.SMTPRecipientsRefused as error:
            # One recipient, so it is the one refused.
            [(code, reply)] = error.recipients.values()
            raise _refused(f"recipient {message.to} refused", code, reply) from error
        except smtplib.SMTPResponseException as error:
            raise _refused("refused", error.smtp_code, error.smtp_error) from error
        except smtplib.SMTPServerDisconnected as error:
            raise EmailDeliveryError(f"SMTP server disconnected: {error}") from error
        except smtplib.SMTPException as error:
            # The server lacks what we are configured to use (STARTTLS, an AUTH mechanism).
            raise EmailDeliveryError(f"SMTP {error}", permanent=True) from error
        except OSError as error:  # refused connection, timeout, DNS, TLS handshake
            raise EmailDeliveryError(
                f"SMTP server {self._host}:{self._port} unreachable: {error}"
            ) from error
        log.info(
            "email sent",
            extra={
                "to": message.to,
                "subject": message.subject,
                "message_id": str(message.id),
                "smtp_server": f"{self._host}:{self._port}",
            },
        )

    def _hand_over(self, to: str, data: bytes) -> None:
        smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        try:
            if self._starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self._username is not None:
                smtp.login(self._username, self._password or "")
            smtp.sendmail(self._envelope_from, [to], data)
        finally:
            _close(smtp)


def _close(smtp: smtplib.SMTP) -> None:
    # Not `with smtplib.SMTP(...)`: its exit raises when QUIT gets an odd reply, which would
    # report a message the server has already accepted as failed, and the outbox would resend it.
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _refused(what: str, code: int, reply: bytes | str) -> EmailDeliveryError:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return EmailDeliveryError(f"SMTP {what}: {code} {text}", permanent=500 <= code < 600)
