"""The upgrade options of a ticket: the three tiers and a priced calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.results import CalendarDay, UpgradeOptionsResult
from application.use_cases.lookups import find_ticket
from domain.calendar import days_from
from domain.capacity import DailyCapacity
from domain.eligibility import check_eligibility
from domain.errors import InvalidInputError
from domain.ids import CustomerId
from domain.options import evaluate_option
from domain.policy import UpgradePolicy
from domain.tickets import TicketReference
from domain.tiers import UPGRADE_TIERS

MAX_DAYS = 180
MAX_START_DISTANCE = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class GetUpgradeOptionsCommand:
    customer_id: CustomerId
    ticket: str
    start: date | None = None  # defaults to the first bookable date
    days: int = 30


@dataclass(frozen=True, slots=True)
class GetUpgradeOptions:
    """Exactly Standard, Non-stop and Double Fun, and for each date from `start` the price,
    amount due, remaining capacity and availability of each (with the reason when unavailable).

    Raises `InvalidInputError` for a bad reference or range, `NotFoundError` for a missing or
    foreign ticket, and `BusinessRuleError` with the eligibility code for an ineligible one.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    policy: UpgradePolicy

    def __call__(self, command: GetUpgradeOptionsCommand) -> UpgradeOptionsResult:
        reference = TicketReference.parse(command.ticket)
        if not 1 <= command.days <= MAX_DAYS:
            raise InvalidInputError(
                "invalid_days", f"days must be between 1 and {MAX_DAYS}.", "Ask for fewer days."
            )
        now = self.clock.now()
        today = self.policy.park.today(now)
        window = self.policy.window
        start = command.start or window.first_bookable(today)
        if abs(start - today) > MAX_START_DISTANCE:
            raise InvalidInputError(
                "invalid_start",
                "start must be within a year of today.",
                f"Bookable dates run from {window.first_bookable(today)} "
                f"to {window.last_bookable(today)}.",
            )
        days = list(days_from(start, command.days))
        with self.uow() as uow:
            ticket = find_ticket(uow, command.customer_id, reference)
            live = uow.orders.live_for_ticket(ticket.id, now)
            eligibility = check_eligibility(ticket, today, live is not None)
            eligibility.raise_if_ineligible()
            usage = uow.capacity.usage([(tier, day) for day in days for tier in UPGRADE_TIERS], now)
        prices, capacity = self.policy.prices, self.policy.capacity
        calendar = []
        for day in days:
            options = {}
            for tier in UPGRADE_TIERS:
                sold, held = usage.get((tier, day), (0, 0))
                daily = DailyCapacity(tier, day, capacity.capacity(tier, day), sold, held)
                options[tier] = evaluate_option(ticket, tier, day, today, prices, window, daily)
            calendar.append(CalendarDay(day, prices.day_type(day), window.is_closed(day), options))
        return UpgradeOptionsResult(
            ticket=ticket,
            eligibility=eligibility,
            tiers=self.policy.catalog.upgrade_tiers(),
            calendar=tuple(calendar),
            currency=self.policy.currency,
            first_bookable=window.first_bookable(today),
            last_bookable=window.last_bookable(today),
            generated_at=now,
        )
