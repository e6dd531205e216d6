"""Records and moves for the unit-of-work contract: built the way the application builds them,
written and locked through the ports only, so any persistence adapter can be driven by them."""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from adapters.clock import FixedClock
from application.audit import AuditEntry
from application.outbox import EmailKind, EmailMessage, OutboxMessage
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.capacity import DailyCapacity
from domain.confirmation import ConfirmationCode
from domain.customers import Customer, CustomerDetails, EmailAddress
from domain.ids import CustomerId, OrderId, TicketId
from domain.money import Money
from domain.orders import PaymentRecord, UpgradeOrder
from domain.pricing import DEFAULT_LIST_PRICES, PriceTable, price_upgrade
from domain.tickets import Ticket, TicketNumber, TicketStatus
from domain.tiers import Tier

DAY = date(2026, 3, 20)
HOLD = timedelta(minutes=15)
PRICES = PriceTable.load({tier: Money.of(v, "USD") for tier, v in DEFAULT_LIST_PRICES.items()})


# -- records built the way the application builds them ----------------------------------------


def new_customer(clock: FixedClock, email: str | None = None) -> Customer:
    now = clock.now()
    address = EmailAddress.parse(email or f"c-{uuid.uuid4().hex[:16]}@example.com")
    return Customer(
        CustomerId(uuid.uuid4()), address, "Ana", "Lima", f"sub-{uuid.uuid4()}", now, now
    )


def new_ticket(clock: FixedClock, owner: Customer, tier: Tier = Tier.GENERAL) -> Ticket:
    now = clock.now()
    return Ticket(
        TicketId(uuid.uuid4()),
        TicketNumber.from_serial(secrets.randbelow(10**8)),
        owner.id,
        tier,
        DAY,
        PRICES.price(tier, DAY),
        TicketStatus.ACTIVE,
        now - timedelta(days=30),
        now - timedelta(days=30),
    )


def new_order(
    clock: FixedClock, ticket: Ticket, tier: Tier = Tier.NON_STOP, day: date = DAY
) -> UpgradeOrder:
    upgrade = price_upgrade(PRICES, ticket.tier, ticket.price_paid, tier, day)
    return UpgradeOrder.quote(OrderId(uuid.uuid4()), ticket, upgrade, clock.now(), HOLD)


def new_message(clock: FixedClock, order: UpgradeOrder | None = None) -> OutboxMessage:
    message = EmailMessage(uuid.uuid4(), "ana@example.com", "Confirmed", "Text", "<p>HTML</p>")
    return OutboxMessage.new(
        message,
        EmailKind.UPGRADE_CONFIRMED,
        order.id if order else None,
        order.customer_id if order else None,
        clock.now(),
    )


def new_entry(clock: FixedClock, entity_id: str, action: str) -> AuditEntry:
    return AuditEntry(
        uuid.uuid4(),
        clock.now(),
        "system",
        action,
        "ticket",
        entity_id,
        {"tier": "general", "price_paid": "59.00", "attempts": 0},
        {"tier": "standard", "price_paid": "79.00", "attempts": 1, "code": None},
    )


def confirm(order: UpgradeOrder, code: str, now: datetime) -> None:
    order.start_payment(now)
    order.confirm(
        PaymentRecord(f"ch_{uuid.uuid4().hex}", "visa", "4242"), ConfirmationCode(code), now
    )


def state(record: object) -> dict[str, Any]:
    """Every field of a record (not its pending domain events): what must survive a round trip."""
    assert dataclasses.is_dataclass(record)
    return {
        f.name: getattr(record, f.name) for f in dataclasses.fields(record) if f.name != "events"
    }


@dataclass
class Seeded:
    """One of each record, committed: a customer, their ticket, a quote and its email."""

    customer: Customer
    ticket: Ticket
    order: UpgradeOrder
    message: OutboxMessage

    @property
    def records(self) -> tuple[Customer, Ticket, UpgradeOrder, OutboxMessage]:
        return (self.customer, self.ticket, self.order, self.message)


Record = Customer | Ticket | UpgradeOrder | OutboxMessage | AuditEntry


def add(uow: UnitOfWork, *records: Record) -> None:
    """Add new records, each through its own repository, in the order given."""
    for record in records:
        if isinstance(record, Customer):
            uow.customers.add(record)
        elif isinstance(record, Ticket):
            uow.tickets.add(record)
        elif isinstance(record, UpgradeOrder):
            uow.orders.add(record)
        elif isinstance(record, OutboxMessage):
            uow.outbox.add(record)
        else:
            uow.audit.record(record)


def persist(uow_factory: UnitOfWorkFactory, *records: Record) -> None:
    """Add new records in one committed unit of work."""
    with uow_factory() as uow:
        add(uow, *records)
        uow.commit()


def commit(uow_factory: UnitOfWorkFactory, write: Callable[[UnitOfWork], None]) -> None:
    """Run a change in one committed unit of work."""
    with uow_factory() as uow:
        write(uow)
        uow.commit()


def make_seed(clock: FixedClock) -> Seeded:
    customer = new_customer(clock)
    ticket = new_ticket(clock, customer)
    order = new_order(clock, ticket)
    return Seeded(customer, ticket, order, new_message(clock, order))


# -- the record kinds that can be locked, for the lock tests ----------------------------------


@dataclass(frozen=True)
class Lockable:
    """How to lock one kind of record, change it, and read back what changed."""

    lock: Callable[[UnitOfWork, Seeded, datetime], Any]
    change: Callable[[UnitOfWork, Any, datetime], None]
    observe: Callable[[Any], object]


def rename(uow: UnitOfWork, customer: Customer, now: datetime) -> None:
    customer.change_details(CustomerDetails(customer.email, "Changed", customer.last_name), now)
    uow.customers.save(customer)


def upgrade(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
    ticket.apply_upgrade(Tier.STANDARD, ticket.visit_date, Money.of("20.00", "USD"), now)
    uow.tickets.save(ticket)


def start_paying(uow: UnitOfWork, order: UpgradeOrder, now: datetime) -> None:
    order.start_payment(now)
    uow.orders.save(order)


def claim(uow: UnitOfWork, message: OutboxMessage, now: datetime) -> None:
    message.claim(now)
    uow.outbox.save(message)


def cancel(uow: UnitOfWork, order: UpgradeOrder, now: datetime) -> None:
    order.cancel(now)
    uow.orders.save(order)


def sell(uow: UnitOfWork, usage: DailyCapacity, now: datetime) -> None:
    usage.sold += 1
    uow.capacity.save(usage)


LOCKABLES = {
    "customer": Lockable(
        lambda uow, s, _: uow.customers.get_for_update(s.customer.id),
        rename,
        lambda c: c.first_name,
    ),
    "ticket": Lockable(
        lambda uow, s, _: uow.tickets.get_for_update(s.ticket.id), upgrade, lambda t: t.tier
    ),
    "ticket by number": Lockable(
        lambda uow, s, _: uow.tickets.by_number_for_update(s.ticket.number),
        upgrade,
        lambda t: t.tier,
    ),
    "order": Lockable(
        lambda uow, s, _: uow.orders.get_for_update(s.order.id),
        start_paying,
        lambda o: (o.status, o.attempts),
    ),
    "outbox message": Lockable(
        lambda uow, s, _: uow.outbox.get_for_update(s.message.id),
        claim,
        lambda m: (m.status, m.attempts),
    ),
    "capacity": Lockable(
        lambda uow, s, now: uow.capacity.lock(s.order.tier, s.order.day, 10, now),
        sell,
        lambda u: (u.sold, u.held),
    ),
}
