"""Domain events: facts in the past tense, recorded by aggregates and published after commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from domain.ids import CustomerId, OrderId
from domain.money import Money
from domain.tiers import Tier


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Something that happened. `name` is its stable key on the wire (snake_case)."""

    name: ClassVar[str] = "event"
    at: datetime


@dataclass(frozen=True, slots=True)
class OrderEvent(DomainEvent):
    """An event in the life of one upgrade order; these drive the customer's live progress."""

    order_id: OrderId
    customer_id: CustomerId


@dataclass(frozen=True, slots=True)
class UpgradeQuoted(OrderEvent):
    name: ClassVar[str] = "quoted"
    tier: Tier
    day: date
    amount_due: Money
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PaymentStarted(OrderEvent):
    name: ClassVar[str] = "payment_processing"
    attempt: int


@dataclass(frozen=True, slots=True)
class PaymentDeclined(OrderEvent):
    name: ClassVar[str] = "payment_declined"
    decline_code: str
    attempts_left: int


@dataclass(frozen=True, slots=True)
class PaymentInterrupted(OrderEvent):
    """The gateway could not be reached; nothing was charged and the order is payable again."""

    name: ClassVar[str] = "payment_unavailable"


@dataclass(frozen=True, slots=True)
class PaymentSucceeded(OrderEvent):
    name: ClassVar[str] = "payment_succeeded"
    payment_id: str
    amount: Money


@dataclass(frozen=True, slots=True)
class UpgradeConfirmed(OrderEvent):
    name: ClassVar[str] = "confirmed"
    confirmation_code: str


@dataclass(frozen=True, slots=True)
class UpgradeRefunded(OrderEvent):
    name: ClassVar[str] = "refunded"
    refund_id: str
    amount: Money


@dataclass(frozen=True, slots=True)
class UpgradeFailed(OrderEvent):
    """The last allowed decline: the quote is released."""

    name: ClassVar[str] = "failed"


@dataclass(frozen=True, slots=True)
class UpgradeCancelled(OrderEvent):
    name: ClassVar[str] = "cancelled"


@dataclass(frozen=True, slots=True)
class UpgradeExpired(OrderEvent):
    name: ClassVar[str] = "expired"


@dataclass(frozen=True, slots=True)
class EmailSent(OrderEvent):
    name: ClassVar[str] = "email_sent"
    kind: str


@dataclass(frozen=True, slots=True)
class EmailFailed(OrderEvent):
    name: ClassVar[str] = "email_failed"
    kind: str
