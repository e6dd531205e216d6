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
class OrderResult:
    """An order as its customer sees it at this moment (expiry applied)."""

    order: UpgradeOrder
    status: OrderStatus
    email_status: str | None  # pending, sent, failed; None before any email is due
    attempts_left: int

    @classmethod
    def build(
        cls, order: UpgradeOrder, now: datetime, max_declines: int, email_status: str | None
    ) -> OrderResult:
        return cls(order, order.status_at(now), email_status, max(0, max_declines - order.declines))

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
