"""The email outbox: messages written in the business transaction, sent after it commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from uuid import UUID

from domain.ids import CustomerId, OrderId


class EmailKind(Enum):
    UPGRADE_CONFIRMED = "upgrade_confirmed"
    PAYMENT_FAILED = "payment_failed"
    UPGRADE_REFUNDED = "upgrade_refunded"
    PAYMENT_REFUNDED = "payment_refunded"  # a charge that could not confirm the upgrade


class DeliveryStatus(Enum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a dispatcher
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt


@dataclass(frozen=True, slots=True)
class EmailMessage:
    """A rendered email. `id` doubles as its Message-ID, so a resend is recognisably the same."""

    id: UUID
    to: str
    subject: str
    text: str
    html: str


@dataclass(slots=True, eq=False)
class OutboxMessage:
    """One email and its delivery state."""

    message: EmailMessage
    kind: EmailKind
    order_id: OrderId | None
    customer_id: CustomerId | None
    status: DeliveryStatus
    created_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None

    @property
    def id(self) -> UUID:
        return self.message.id

    @classmethod
    def new(
        cls,
        message: EmailMessage,
        kind: EmailKind,
        order_id: OrderId | None,
        customer_id: CustomerId | None,
        now: datetime,
    ) -> OutboxMessage:
        return cls(message, kind, order_id, customer_id, DeliveryStatus.PENDING, now, now)

    def is_due(self, now: datetime) -> bool:
        return self.status is DeliveryStatus.PENDING and self.next_attempt_at <= now

    def claim(self, now: datetime) -> None:
        self.status = DeliveryStatus.SENDING
        self.claimed_at = now
        self.attempts += 1

    def mark_sent(self, now: datetime) -> None:
        self.status = DeliveryStatus.SENT
        self.sent_at = now
        self.last_error = None

    def mark_failed(self, now: datetime, error: str, retry_in: timedelta | None) -> None:
        """Schedule another attempt, or give up when `retry_in` is None."""
        self.last_error = error[:500]
        self.claimed_at = None
        if retry_in is None:
            self.status = DeliveryStatus.FAILED
        else:
            self.status = DeliveryStatus.PENDING
            self.next_attempt_at = now + retry_in

    def resend(self, now: datetime) -> bool:
        """Queue a sent or failed message again, under the same id (so the same Message-ID:
        a mail client shows a resend as the same message). One already on its way stays as it
        is. A resend gets a fresh set of attempts."""
        if self.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING):
            return False
        self.status = DeliveryStatus.PENDING
        self.next_attempt_at = now
        self.attempts = 0
        self.claimed_at = None
        self.last_error = None
        return True

    def release_if_stuck(self, now: datetime, lease: timedelta) -> bool:
        """A dispatcher that died mid-send leaves a claim behind; after the lease it is retried."""
        if (
            self.status is DeliveryStatus.SENDING
            and self.claimed_at
            and now - self.claimed_at >= lease
        ):
            self.status = DeliveryStatus.PENDING
            self.claimed_at = None
            self.next_attempt_at = now
            return True
        return False
