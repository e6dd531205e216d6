"""Quote an upgrade: create the order and hold one unit of capacity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from application.audit import order_change
from application.ports.clock import Clock
from application.ports.ids import IdGenerator
from application.ports.progress import ProgressPublisher
from application.ports.unit_of_work import UnitOfWorkFactory
from application.results import OrderResult
from application.use_cases.lookups import find_ticket
from domain.calendar import DateStatus
from domain.eligibility import check_eligibility
from domain.ids import CustomerId, OrderId
from domain.options import OptionReason, refusal
from domain.orders import UpgradeOrder
from domain.policy import UpgradePolicy
from domain.pricing import price_upgrade
from domain.tickets import TicketReference
from domain.tiers import Tier

_DATE_REFUSALS = {
    DateStatus.OUT_OF_WINDOW: OptionReason.DATE_OUT_OF_WINDOW,
    DateStatus.CLOSED: OptionReason.DATE_CLOSED,
}


@dataclass(frozen=True, slots=True)
class QuoteUpgradeCommand:
    customer_id: CustomerId
    ticket: str
    tier: str
    day: date


@dataclass(frozen=True, slots=True)
class QuoteUpgrade:
    """Price the upgrade, hold a unit of the (tier, date) and create a pending order.

    The ticket is locked first (one live quote per ticket), then the (tier, date), and only
    then is what remains counted. Raises `InvalidInputError` (bad reference or tier),
    `NotFoundError`, `BusinessRuleError` (an eligibility code, `tier_not_higher`,
    `date_out_of_window`, `date_closed`, `sold_out`) and `BusyError`.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    policy: UpgradePolicy
    progress: ProgressPublisher

    def __call__(self, command: QuoteUpgradeCommand) -> OrderResult:
        reference = TicketReference.parse(command.ticket)
        tier = Tier.parse(command.tier)
        now = self.clock.now()
        today = self.policy.park.today(now)
        window = self.policy.window
        with self.uow() as uow:
            ticket = find_ticket(uow, command.customer_id, reference, for_update=True)
            # A refund still being made will put the ticket back as it was: an upgrade bought
            # meanwhile would be undone with it, so it waits like one in progress.
            busy = uow.orders.live_for_ticket(ticket.id, now) is not None
            busy = busy or uow.payments.refund_pending_for_ticket(ticket.id)
            check_eligibility(ticket, today, busy).raise_if_ineligible()
            if not tier.is_above(ticket.tier):
                raise refusal(OptionReason.TIER_NOT_HIGHER, tier, command.day, window)
            date_status = window.status(command.day, today)
            if date_status is not DateStatus.BOOKABLE:
                raise refusal(_DATE_REFUSALS[date_status], tier, command.day, window)
            upgrade = price_upgrade(
                self.policy.prices, ticket.tier, ticket.price_paid, tier, command.day
            )
            capacity = self.policy.capacity.capacity(tier, command.day)
            usage = uow.capacity.lock(tier, command.day, capacity, now)
            usage.hold_one()
            order = UpgradeOrder.quote(
                OrderId(self.ids.new_id()), ticket, upgrade, now, self.policy.hold
            )
            uow.orders.add(order)
            uow.audit.record(
                order_change(
                    self.ids.new_id(), now, str(command.customer_id), "upgrade.quoted", order, None
                )
            )
            uow.commit()
        self.progress.publish(order.pull_events())
        return OrderResult.build(order, now, self.policy.max_declines, email_status=None)
