"""What use cases return: plain values the entrypoints render, never live aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from domain.customers import Customer
from domain.eligibility import Eligibility
from domain.options import UpgradeOption
from domain.orders import OrderStatus, UpgradeOrder
from domain.pricing import DayType
from domain.tickets import Ticket
from domain.tiers import Tier, TierDescription


@dataclass(frozen=True, slots=True)
class TicketResult:
    ticket: Ticket
    eligibility: Eligibility


@dataclass(frozen=True, slots=True)
class CustomerResult:
    customer: Customer


@dataclass(frozen=True, slots=True)
class EmailDelivery:
    """Where one of the order's emails stands: pending (waiting or being sent), sent, failed."""

    id: UUID
    kind: str  # upgrade_confirmed, payment_failed, upgrade_refunded, payment_refunded
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class OrderResult:
    """An order as its customer sees it at this moment (expiry applied), with its emails."""

    order: UpgradeOrder
    status: OrderStatus
    email_status: str | None  # the latest email's status; None before any email is due
    attempts_left: int
    emails: tuple[EmailDelivery, ...] = ()

    @classmethod
    def build(
        cls,
        order: UpgradeOrder,
        now: datetime,
        max_declines: int,
        email_status: str | None,
        emails: tuple[EmailDelivery, ...] = (),
    ) -> OrderResult:
        attempts_left = max(0, max_declines - order.declines)
        return cls(order, order.status_at(now), email_status, attempts_left, emails)

    @property
    def id(self) -> UUID:
        return self.order.id


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    day_type: DayType
    closed: bool
    options: dict[Tier, UpgradeOption]


@dataclass(frozen=True, slots=True)
class UpgradeOptionsResult:
    """Exactly the three upgrade tiers, and a calendar pricing each of them on each date."""

    ticket: Ticket
    eligibility: Eligibility
    tiers: tuple[TierDescription, ...]
    calendar: tuple[CalendarDay, ...]
    currency: str
    first_bookable: date
    last_bookable: date
    generated_at: datetime
