"""Demo data for the local build: customers, tickets in every state, and real past upgrades.

Everything with a history (confirmed upgrades, the pending quote) is made through the same use
cases a customer's requests go through, with the dummy gateway's test card; only tickets, which
this system does not sell, are written directly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from adapters.clock import SystemClock
from application.ports.clock import Clock
from application.use_cases.customers import RegisterCustomerCommand
from application.use_cases.pay_for_upgrade import PayForUpgradeCommand
from application.use_cases.quote_upgrade import QuoteUpgradeCommand
from domain.cards import PaymentCard
from domain.customers import EmailAddress
from domain.ids import CustomerId, OrderId, TicketId
from domain.park import Park
from domain.policy import UpgradePolicy
from domain.tickets import Ticket, TicketNumber, TicketStatus
from domain.tiers import Tier
from infra.container import Container
from infra.settings import Settings

log = logging.getLogger(__name__)

DEMO_PASSWORD = "Funland-2026"  # noqa: S105  # documented in the README; demo logins only
TEST_CARD = PaymentCard.parse("4242 4242 4242 4242", 12, 2030, "123", "Demo Customer")
GROUP_SIZE = 38  # sells a Double Fun date down to 2 of 40


@dataclass(frozen=True, slots=True)
class DemoTicket:
    serial: int
    tier: Tier
    visit_in_days: int
    status: TicketStatus = TicketStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    email: str
    first_name: str
    last_name: str
    tickets: tuple[DemoTicket, ...]


ACTIVE, USED, CANCELLED, EXPIRED, REFUNDED = (
    TicketStatus.ACTIVE,
    TicketStatus.USED,
    TicketStatus.CANCELLED,
    TicketStatus.EXPIRED,
    TicketStatus.REFUNDED,
)
GENERAL, STANDARD, NON_STOP, DOUBLE_FUN = (
    Tier.GENERAL,
    Tier.STANDARD,
    Tier.NON_STOP,
    Tier.DOUBLE_FUN,
)

CUSTOMERS = (
    DemoCustomer(
        "alice@example.com",
        "Alice",
        "Rivera",
        (
            DemoTicket(10000001, GENERAL, 9),  # eligible
            DemoTicket(10000002, STANDARD, 30),  # eligible
            DemoTicket(10000003, DOUBLE_FUN, 45),  # already_top_tier
        ),
    ),
    DemoCustomer(
        "bob@example.com",
        "Bob",
        "Chen",
        (
            DemoTicket(10000011, GENERAL, -20, USED),  # ticket_not_active (used)
            DemoTicket(10000012, STANDARD, 15, CANCELLED),  # ticket_not_active (cancelled)
            DemoTicket(10000013, GENERAL, -60, EXPIRED),  # ticket_not_active (expired)
            DemoTicket(10000014, NON_STOP, 40, REFUNDED),  # ticket_not_active (refunded)
            DemoTicket(10000015, NON_STOP, 60),  # eligible (Double Fun only)
        ),
    ),
    DemoCustomer(
        "carol@example.com",
        "Carol",
        "Okafor",
        (
            DemoTicket(10000021, GENERAL, -3),  # visit_date_passed
            DemoTicket(10000022, GENERAL, 100),  # eligible, late in the window
        ),
    ),
    DemoCustomer(
        "dave@example.com",
        "Dave",
        "Kowalski",
        (
            DemoTicket(10000031, GENERAL, 14),  # upgrade_in_progress (a quote is pending)
            DemoTicket(10000032, STANDARD, 75),  # eligible
        ),
    ),
    DemoCustomer(
        "eve@example.com",
        "Eve",
        "Martin",
        (
            DemoTicket(10000041, GENERAL, 21),  # upgraded to Standard at start (history)
            DemoTicket(10000042, GENERAL, 110),  # eligible
        ),
    ),
)
GROUP = DemoCustomer("tours@example.com", "Sunshine", "Tours", ())


def demo_settings(settings: Settings, clock: Clock | None = None) -> Settings:
    """The demo park closes one day two and a half weeks out (unless closures are configured)."""
    if settings.closures:
        return settings
    now = (clock or SystemClock()).now()
    today = Park(settings.park_name, settings.park_timezone, settings.currency).today(now)
    return settings.model_copy(update={"closures": [today + timedelta(days=17)]})


def nearly_sold_out_day(today: date, policy: UpgradePolicy) -> date:
    """The first Saturday at least ten days out that is open: the group's Double Fun day."""
    day = today + timedelta(days=10)
    while day.weekday() != 5 or policy.window.is_closed(day):
        day += timedelta(days=1)
    return day


LOAD_TESTER = DemoCustomer("loadtest@example.com", "Load", "Tester", ())


def seed_demo_data(container: Container, load_tickets: int = 0) -> None:
    """Fill an empty store with the demo customers, tickets and orders.

    `load_tickets` adds that many general tickets, spread over the window, to a load-test
    customer, for the benchmarks.
    """
    policy = container.policy()
    now = container.clock().now()
    today = policy.park.today(now)
    with container.unit_of_work() as uow:
        if uow.customers.by_email(EmailAddress.parse(CUSTOMERS[0].email)) is not None:
            log.info("demo data already there")  # a database keeps it across restarts
            return
    crowd_day = nearly_sold_out_day(today, policy)
    group = tuple(
        DemoTicket(20000001 + n, GENERAL, (crowd_day - today).days) for n in range(GROUP_SIZE)
    )
    open_days = [
        offset
        for offset in range(policy.window.min_notice_days, policy.window.horizon_days + 1)
        if not policy.window.is_closed(today + timedelta(days=offset))
    ]
    load = tuple(
        DemoTicket(30000001 + n, GENERAL, open_days[n % len(open_days)])
        for n in range(load_tickets)
    )
    holdings = [(customer, customer.tickets) for customer in CUSTOMERS]
    holdings += [(GROUP, group)] + ([(LOAD_TESTER, load)] if load else [])

    register = container.register_customer()
    customers: dict[str, CustomerId] = {}
    for customer, _ in holdings:
        command = RegisterCustomerCommand(
            customer.email, DEMO_PASSWORD, customer.first_name, customer.last_name
        )
        customers[customer.email] = register(command).customer.id

    tickets: dict[int, TicketId] = {}
    ids = container.ids()
    with container.unit_of_work() as uow:
        for customer, owned in holdings:
            for demo_ticket in owned:
                visit = today + timedelta(days=demo_ticket.visit_in_days)
                ticket = Ticket(
                    id=TicketId(ids.new_id()),
                    number=TicketNumber.from_serial(demo_ticket.serial),
                    customer_id=customers[customer.email],
                    tier=demo_ticket.tier,
                    visit_date=visit,
                    price_paid=policy.prices.price(demo_ticket.tier, visit),
                    status=demo_ticket.status,
                    purchased_at=now - timedelta(days=30),
                    updated_at=now - timedelta(days=30),
                )
                uow.tickets.add(ticket)
                tickets[demo_ticket.serial] = ticket.id
        uow.commit()

    quote, pay = container.quote_upgrade(), container.pay_for_upgrade()

    def upgrade(email: str, serial: int, tier: Tier, day: date, paid: bool = True) -> None:
        order = quote(QuoteUpgradeCommand(customers[email], str(tickets[serial]), tier.key, day))
        if paid:
            pay(PayForUpgradeCommand(customers[email], OrderId(order.id), TEST_CARD))

    upgrade("eve@example.com", 10000041, STANDARD, today + timedelta(days=21))
    upgrade("dave@example.com", 10000031, NON_STOP, today + timedelta(days=14), paid=False)
    for demo_ticket in group:
        upgrade(GROUP.email, demo_ticket.serial, DOUBLE_FUN, crowd_day)
    log.info(
        "demo data loaded",
        extra={
            "customers": len(customers),
            "tickets": len(tickets),
            "nearly_sold_out": crowd_day.isoformat(),
        },
    )
