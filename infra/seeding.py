"""Filling a store the way its history would have: the primitives the demo data and the
generated sample data share.

Customers register, and upgrades are quoted, paid, declined, cancelled or left to lapse, through
the real use cases with the dummy gateway's test cards, so every rule holds and every record
(audit, payment attempts, outbox) is there. Only tickets, which this system does not sell, are
written directly, and so is their status: the gate, not this system, marks a ticket used.

History in the past is replayed on a clock the seeder can set (`FixedClock`): each use case then
stamps its records with the instant being replayed. The clock only ever moves forward while
history is replayed, so a quote left waiting lapses exactly as it would have.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Protocol, runtime_checkable

from application.errors import PaymentDeclinedError
from application.results import OrderResult
from application.use_cases.customers import RegisterCustomerCommand
from application.use_cases.pay_for_upgrade import PayForUpgradeCommand
from application.use_cases.quote_upgrade import QuoteUpgradeCommand
from domain.cards import PaymentCard
from domain.customers import EmailAddress
from domain.ids import CustomerId, OrderId, TicketId
from domain.policy import UpgradePolicy
from domain.tickets import Ticket, TicketNumber, TicketStatus
from domain.tiers import Tier
from infra.container import Container

DEMO_PASSWORD = "Funland-2026"  # noqa: S105  # documented in the README; demo and sample logins only
GOOD_CARD = "4242 4242 4242 4242"
# The dummy gateway's declining test cards (DOMAIN.md), in the order a sample customer tries them.
DECLINING_CARDS = (
    "4000 0000 0000 0002",  # card_declined
    "4000 0000 0000 9995",  # insufficient_funds
    "4000 0000 0000 0069",  # expired_card
    "4000 0000 0000 0127",  # incorrect_cvc
)
STEP = timedelta(minutes=1)  # between a customer's clicks, while history is replayed


class Outcome(Enum):
    """How an upgrade order ends up."""

    CONFIRMED = "confirmed"  # paid with the test card
    DECLINED_THEN_PAID = "declined_then_paid"  # one declined card, then the test card
    FAILED = "failed"  # declined until the quote closed
    CANCELLED = "cancelled"  # the customer cancelled the quote
    QUOTED = "quoted"  # left waiting for payment: it holds capacity until its hold lapses

    @property
    def moves_the_ticket(self) -> bool:
        return self in (Outcome.CONFIRMED, Outcome.DECLINED_THEN_PAID)


@runtime_checkable
class SettableClock(Protocol):
    """A clock that can be told the time: what replaying history needs (`FixedClock`)."""

    def now(self) -> datetime: ...

    def set(self, at: datetime) -> None: ...


class ClockNotSettableError(RuntimeError):
    """History in the past needs a clock the seeder can set."""


@dataclass(frozen=True, slots=True)
class TicketSpec:
    """A ticket as the park's ticketing system sold it: paid the price of its tier that day."""

    owner: CustomerId
    serial: int
    tier: Tier
    visit: date
    purchased_at: datetime
    status: TicketStatus = TicketStatus.ACTIVE


class Seeder:
    """Writes through a container's use cases; history needs its clock to be settable."""

    def __init__(self, container: Container, password: str = DEMO_PASSWORD) -> None:
        self.policy: UpgradePolicy = container.policy()
        self._container = container
        self._clock = container.clock()
        self._password = password
        self._register = container.register_customer()
        self._quote = container.quote_upgrade()
        self._pay = container.pay_for_upgrade()
        self._cancel = container.cancel_upgrade()
        self._present: datetime | None = None
        # Cards expire; any year safely after every instant replayed keeps them valid.
        self._card_year = self._clock.now().year + 3

    # -- time -------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._clock.now()

    @property
    def today(self) -> date:
        return self.policy.park.today(self.now())

    def begin_history(self, start: datetime) -> None:
        """Go back to `start` to replay history from there (the present is remembered)."""
        clock = self._settable()
        self._present = clock.now()
        if start > self._present:
            raise ValueError("history starts in the past")
        clock.set(start)

    def travel_to(self, at: datetime) -> None:
        """Move forward to `at` (never back: what happened stays in the past)."""
        clock = self._settable()
        clock.set(max(clock.now(), at))

    def end_history(self) -> None:
        """Deliver what history sent, and come back to the present."""
        self.deliver_emails()
        if self._present is not None:
            self.travel_to(self._present)
            self._present = None

    def _settable(self) -> SettableClock:
        if not isinstance(self._clock, SettableClock):
            raise ClockNotSettableError(
                "replaying history needs a clock that can be set: build the container with "
                "overrides={'clock': FixedClock(...)}"
            )
        return self._clock

    def _step(self, at: datetime | None) -> None:
        """The next click of a customer replayed at `at`; in the present, time runs by itself."""
        if at is not None:
            self.travel_to(self.now() + STEP)

    # -- customers and tickets --------------------------------------------------------------

    def is_registered(self, email: str) -> bool:
        with self._container.unit_of_work() as uow:
            return uow.customers.by_email(EmailAddress.parse(email)) is not None

    def register(self, email: str, first_name: str, last_name: str) -> CustomerId:
        command = RegisterCustomerCommand(email, self._password, first_name, last_name)
        return self._register(command).customer.id

    def issue(self, specs: Iterable[TicketSpec]) -> list[Ticket]:
        """Write tickets as sold, at their tier's price on their visit date, in one transaction."""
        prices, ids = self.policy.prices, self._container.ids()
        tickets = [
            Ticket(
                id=TicketId(ids.new_id()),
                number=TicketNumber.from_serial(spec.serial),
                customer_id=spec.owner,
                tier=spec.tier,
                visit_date=spec.visit,
                price_paid=prices.price(spec.tier, spec.visit),
                status=spec.status,
                purchased_at=spec.purchased_at,
                updated_at=spec.purchased_at,
            )
            for spec in specs
        ]
        with self._container.unit_of_work() as uow:
            for ticket in tickets:
                uow.tickets.add(ticket)
            uow.commit()
        return tickets

    def set_status(self, ticket_id: TicketId, status: TicketStatus, at: datetime) -> None:
        """What the gate or the ticket office did to a ticket (used, refunded...) at `at`."""
        with self._container.unit_of_work() as uow:
            ticket = uow.tickets.get_for_update(ticket_id)
            if ticket is None:
                raise LookupError(f"no ticket {ticket_id}")
            ticket.status = status
            ticket.updated_at = at
            uow.tickets.save(ticket)
            uow.commit()

    # -- upgrades ---------------------------------------------------------------------------

    def upgrade(
        self,
        customer_id: CustomerId,
        ticket: TicketId | str,
        tier: Tier,
        day: date,
        outcome: Outcome = Outcome.CONFIRMED,
        card_holder: str = "Demo Customer",
        at: datetime | None = None,
        declining_card: str = DECLINING_CARDS[0],
    ) -> OrderResult:
        """Quote the upgrade, then play `outcome` with the test cards; at `at`, or now.

        Any refusal by the use cases propagates: data that breaks a rule is a bug here.
        """
        if at is not None:
            self.travel_to(at)
        order = self._quote(QuoteUpgradeCommand(customer_id, str(ticket), tier.key, day))
        order_id = OrderId(order.id)
        if outcome is Outcome.QUOTED:
            return order
        if outcome is Outcome.CANCELLED:
            self._step(at)
            return self._cancel(customer_id, order_id)
        declines = {
            Outcome.CONFIRMED: 0,
            Outcome.DECLINED_THEN_PAID: min(1, self.policy.max_declines - 1),
            Outcome.FAILED: self.policy.max_declines,
        }[outcome]
        declined = PayForUpgradeCommand(
            customer_id, order_id, self._card(declining_card, card_holder)
        )
        for _ in range(declines):
            self._step(at)
            try:
                self._pay(declined)
            except PaymentDeclinedError:
                pass  # as planned: the attempt is recorded, the quote stays payable or closes
            else:
                raise AssertionError(f"the declining card {declining_card} was accepted")
        if outcome is Outcome.FAILED:
            return self._container.get_order()(customer_id, order_id)
        self._step(at)
        return self._pay(
            PayForUpgradeCommand(customer_id, order_id, self._card(GOOD_CARD, card_holder))
        )

    def _card(self, number: str, holder: str) -> PaymentCard:
        return PaymentCard.parse(number, 12, self._card_year, "123", holder)

    # -- email ------------------------------------------------------------------------------

    def deliver_emails(self) -> int:
        """Send what is due in the outbox now, as the background dispatcher would have."""
        dispatch = self._container.dispatch_outbox()
        sent = 0
        while True:
            report = dispatch()
            sent += report.sent
            if not (report.sent or report.retried or report.failed):
                return sent
