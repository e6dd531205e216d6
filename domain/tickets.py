"""Tickets: what a customer holds, found by its UUID or its number (TKT- and 8 digits)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from uuid import UUID

from domain.errors import BusinessRuleError, InvalidInputError
from domain.ids import CustomerId, TicketId
from domain.money import Money
from domain.tiers import Tier

_NUMBER = re.compile(r"TKT-([0-9]{8})", re.IGNORECASE)
_REFERENCE_GUIDANCE = (
    "Use the ticket number (TKT- followed by 8 digits, e.g. TKT-00012345) or its id."
)


@dataclass(frozen=True, slots=True)
class TicketNumber:
    """The printed reference of a ticket: "TKT-" and eight digits."""

    value: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"TKT-[0-9]{8}", self.value):
            raise InvalidInputError(
                "invalid_ticket_number",
                f"{self.value!r} is not a ticket number.",
                _REFERENCE_GUIDANCE,
            )

    @classmethod
    def parse(cls, text: str) -> TicketNumber:
        match = _NUMBER.fullmatch(text.strip())
        if match is None:
            raise InvalidInputError(
                "invalid_ticket_number", f"{text!r} is not a ticket number.", _REFERENCE_GUIDANCE
            )
        return cls(f"TKT-{match.group(1)}")

    @classmethod
    def from_serial(cls, serial: int) -> TicketNumber:
        return cls(f"TKT-{serial:08d}")

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class TicketReference:
    """What a customer typed to name a ticket: either its UUID or its number."""

    ticket_id: TicketId | None = None
    number: TicketNumber | None = None

    @classmethod
    def parse(cls, text: str) -> TicketReference:
        candidate = text.strip()
        if _NUMBER.fullmatch(candidate):
            return cls(number=TicketNumber.parse(candidate))
        try:
            return cls(ticket_id=TicketId(UUID(candidate)))
        except ValueError:
            raise InvalidInputError(
                "invalid_ticket_reference",
                f"{text[:60]!r} is neither a ticket number nor a ticket id.",
                _REFERENCE_GUIDANCE,
            ) from None


class TicketStatus(Enum):
    ACTIVE = "active"
    USED = "used"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"


@dataclass(slots=True, eq=False)
class Ticket:
    """A park ticket. Its tier and date change only when an upgrade is confirmed (or refunded)."""

    id: TicketId
    number: TicketNumber
    customer_id: CustomerId
    tier: Tier
    visit_date: date
    price_paid: Money
    status: TicketStatus
    purchased_at: datetime
    updated_at: datetime

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ticket) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def belongs_to(self, customer_id: CustomerId) -> bool:
        return self.customer_id == customer_id

    def apply_upgrade(self, tier: Tier, day: date, amount_paid: Money, now: datetime) -> None:
        """A paid upgrade moves the ticket up to `tier` on `day` and adds what was paid."""
        if not tier.is_above(self.tier):
            raise BusinessRuleError("tier_not_higher", f"{tier.key} is not above {self.tier.key}.")
        self.tier = tier
        self.visit_date = day
        self.price_paid = self.price_paid + amount_paid
        self.updated_at = now

    def restore(self, tier: Tier, day: date, price_paid: Money, now: datetime) -> None:
        """A refunded upgrade puts the ticket back exactly as it was before."""
        self.tier = tier
        self.visit_date = day
        self.price_paid = price_paid
        self.updated_at = now
