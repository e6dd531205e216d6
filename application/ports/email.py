"""Email ports: rendering a message from its content, and sending it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from application.outbox import EmailKind, EmailMessage


@dataclass(frozen=True, slots=True)
class EmailContent:
    """What an email says, before any template: the facts a customer needs."""

    kind: EmailKind
    to: str
    customer_name: str
    park_name: str
    ticket_number: str
    tier_name: str
    visit_date: date
    amount: str  # already formatted with its currency, e.g. "USD 31.25"
    order_url: str
    confirmation_code: str | None = None
    decline_reason: str | None = None


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


class EmailRenderer(Protocol):
    """Turns content into a subject, a plain-text body and an HTML body.

    HTML is escaped: whatever a customer typed (a name like "<script>") stays text.
    """

    def render(self, content: EmailContent) -> RenderedEmail: ...


class EmailDeliveryError(Exception):
    """The message could not be handed over. `permanent` means retrying cannot help."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class EmailSender(Protocol):
    """Hands one message to a mail system.

    Raises `EmailDeliveryError`. Sending the same message id twice may deliver twice; the
    outbox makes sure that only happens after a crash mid-send, and the Message-ID lets the
    receiver see it is the same message.
    """

    def send(self, message: EmailMessage) -> None: ...
