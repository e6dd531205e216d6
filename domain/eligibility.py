"""Whether a ticket can be upgraded at all, and why not (each refusal has a code and guidance)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from domain.errors import BusinessRuleError, NotFoundError
from domain.tickets import Ticket, TicketStatus
from domain.tiers import TOP_TIER


class EligibilityCode(Enum):
    TICKET_NOT_FOUND = "ticket_not_found"
    TICKET_NOT_ACTIVE = "ticket_not_active"
    VISIT_DATE_PASSED = "visit_date_passed"
    ALREADY_TOP_TIER = "already_top_tier"
    UPGRADE_IN_PROGRESS = "upgrade_in_progress"


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The verdict on one ticket: eligible, or the first rule it breaks."""

    eligible: bool
    code: EligibilityCode | None
    message: str
    guidance: str

    def raise_if_ineligible(self) -> None:
        if self.code is EligibilityCode.TICKET_NOT_FOUND:
            raise NotFoundError(self.code.value, self.message, self.guidance)
        if self.code is not None:
            raise BusinessRuleError(self.code.value, self.message, self.guidance)


TICKET_NOT_FOUND = Eligibility(
    False,
    EligibilityCode.TICKET_NOT_FOUND,
    "We could not find that ticket on your account.",
    "Check the number: it is TKT- followed by 8 digits, as printed on your ticket.",
)

_NOT_ACTIVE_GUIDANCE = {
    TicketStatus.USED: "A used ticket cannot be upgraded. Upgrade a ticket for a future visit.",
    TicketStatus.CANCELLED: "A cancelled ticket cannot be upgraded. Buy a new ticket to visit.",
    TicketStatus.EXPIRED: "An expired ticket cannot be upgraded. Buy a new ticket to visit.",
    TicketStatus.REFUNDED: "This ticket was refunded. Buy a new ticket to visit.",
}


def check_eligibility(ticket: Ticket, today: date, upgrade_in_progress: bool) -> Eligibility:
    """The rules in order: active, not in the past, not already top tier, no upgrade underway."""
    if ticket.status is not TicketStatus.ACTIVE:
        return Eligibility(
            False,
            EligibilityCode.TICKET_NOT_ACTIVE,
            f"Ticket {ticket.number} is {ticket.status.value}, so it cannot be upgraded.",
            _NOT_ACTIVE_GUIDANCE[ticket.status],
        )
    if ticket.visit_date < today:
        return Eligibility(
            False,
            EligibilityCode.VISIT_DATE_PASSED,
            f"The visit date of ticket {ticket.number} ({ticket.visit_date.isoformat()}) "
            "has passed.",
            "Only tickets for today or a future visit can be upgraded.",
        )
    if ticket.tier is TOP_TIER:
        return Eligibility(
            False,
            EligibilityCode.ALREADY_TOP_TIER,
            f"Ticket {ticket.number} is already Double Fun, our top tier.",
            "There is nothing higher to upgrade to; enjoy your visit!",
        )
    if upgrade_in_progress:
        return Eligibility(
            False,
            EligibilityCode.UPGRADE_IN_PROGRESS,
            f"Ticket {ticket.number} already has an upgrade waiting for payment.",
            "Finish paying for that upgrade, or cancel it to choose another.",
        )
    return Eligibility(True, None, f"Ticket {ticket.number} can be upgraded.", "")
