"""One upgrade option, a (tier, date), priced for a ticket and marked available or not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from domain.calendar import BookingWindow, DateStatus
from domain.capacity import DailyCapacity
from domain.errors import BusinessRuleError
from domain.money import Money
from domain.pricing import PriceTable, price_upgrade
from domain.tickets import Ticket
from domain.tiers import Tier


class OptionReason(Enum):
    """Why one (tier, date) cannot be chosen for a ticket."""

    TIER_NOT_HIGHER = "tier_not_higher"
    SOLD_OUT = "sold_out"
    DATE_CLOSED = "date_closed"
    DATE_OUT_OF_WINDOW = "date_out_of_window"


_REFUSALS = {
    OptionReason.TIER_NOT_HIGHER: (
        "{tier} is not above the ticket's tier.",
        "An upgrade must go up the ladder: pick a higher tier.",
    ),
    OptionReason.SOLD_OUT: (
        "{tier} is sold out on {day}.",
        "Pick another date or another tier; the calendar shows what remains.",
    ),
    OptionReason.DATE_CLOSED: (
        "The park is closed on {day}.",
        "Pick another date from the calendar.",
    ),
    OptionReason.DATE_OUT_OF_WINDOW: (
        "{day} cannot be booked.",
        "Upgrades can be booked from {notice} days ahead up to {horizon} days ahead.",
    ),
}


def refusal(
    reason: OptionReason, tier: Tier, day: date, window: BookingWindow
) -> BusinessRuleError:
    """The error a quote for an unavailable option raises, in words a customer understands."""
    message, guidance = _REFUSALS[reason]
    values = {
        "tier": tier.key,
        "day": day.isoformat(),
        "notice": window.min_notice_days,
        "horizon": window.horizon_days,
    }
    return BusinessRuleError(reason.value, message.format(**values), guidance.format(**values))


@dataclass(frozen=True, slots=True)
class UpgradeOption:
    """What upgrading a ticket to `tier` on `day` costs and whether it can be chosen."""

    tier: Tier
    day: date
    price: Money
    amount_due: Money | None
    remaining: int
    reason: OptionReason | None

    @property
    def available(self) -> bool:
        return self.reason is None


def evaluate_option(
    ticket: Ticket,
    tier: Tier,
    day: date,
    today: date,
    prices: PriceTable,
    window: BookingWindow,
    usage: DailyCapacity,
) -> UpgradeOption:
    """Price one option and give the first reason it is unavailable, in the ladder's order:
    the tier, then the date, then the capacity."""
    price = prices.price(tier, day)
    amount_due = None
    if tier.is_above(ticket.tier):
        amount_due = price_upgrade(prices, ticket.tier, ticket.price_paid, tier, day).amount_due
    reason: OptionReason | None = None
    date_status = window.status(day, today)
    if amount_due is None:
        reason = OptionReason.TIER_NOT_HIGHER
    elif date_status is DateStatus.OUT_OF_WINDOW:
        reason = OptionReason.DATE_OUT_OF_WINDOW
    elif date_status is DateStatus.CLOSED:
        reason = OptionReason.DATE_CLOSED
    elif usage.is_sold_out:
        reason = OptionReason.SOLD_OUT
    return UpgradeOption(tier, day, price, amount_due, usage.remaining, reason)
