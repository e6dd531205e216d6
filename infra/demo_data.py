"""Demo data for the local build: customers, tickets in every state, and real past upgrades.

The demo cast (the README's "Demo logins") is written with the seeder's primitives, like the
generated sample data: everything with a history (confirmed upgrades, the pending quote) goes
through the use cases a customer's requests go through, with the dummy gateway's test card; only
tickets, which this system does not sell, are written directly. A generated crowd of customers
with a past can join them (`crowd`), on a container whose clock can be set.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from adapters.clock import SystemClock
from application.ports.clock import Clock
from domain.park import Park
from domain.policy import UpgradePolicy
from domain.tickets import TicketNumber, TicketStatus
from domain.tiers import Tier
from infra.container import Container
from infra.sample_data import SampleSpec, generate_sample_data
from infra.seeding import DEMO_PASSWORD, Outcome, Seeder, TicketSpec
from infra.settings import Settings

log = logging.getLogger(__name__)

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
CONFIRMED, QUOTED = Outcome.CONFIRMED, Outcome.QUOTED
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


@dataclass(frozen=True, slots=True)
class DemoUpgrade:
    email: str
    serial: int
    tier: Tier
    day: date
    outcome: Outcome


def is_seeded(container: Container) -> bool:
    """Whether the demo cast is there already (a database keeps it across restarts)."""
    return Seeder(container).is_registered(CUSTOMERS[0].email)


def seed_demo_data(
    container: Container, load_tickets: int = 0, crowd: SampleSpec | None = None
) -> None:
    """Fill the store with the demo customers, tickets and orders, unless they are there.

    `load_tickets` adds that many general tickets, spread over the window, to a load-test
    customer, for the benchmarks. `crowd` first generates that many customers with a past
    (it needs a container whose clock can be set); they leave the cast's dates alone.
    """
    if is_seeded(container):
        log.info("demo data already there")
        return
    seeder = Seeder(container, password=DEMO_PASSWORD)  # the README's, for every demo login
    policy, now, today = seeder.policy, seeder.now(), seeder.today
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
    upgrades = [
        DemoUpgrade("eve@example.com", 10000041, STANDARD, today + timedelta(days=21), CONFIRMED),
        DemoUpgrade("dave@example.com", 10000031, NON_STOP, today + timedelta(days=14), QUOTED),
    ] + [DemoUpgrade(GROUP.email, t.serial, DOUBLE_FUN, crowd_day, CONFIRMED) for t in group]

    if crowd is not None:  # the crowd's past first; the cast acts today
        reserved = Counter((upgrade.tier, upgrade.day) for upgrade in upgrades)
        # The group's day stays 2 of 40, as the README says: the crowd keeps off it.
        reserved[(DOUBLE_FUN, crowd_day)] = policy.capacity.capacity(DOUBLE_FUN, crowd_day)
        generate_sample_data(container, crowd, reserved=reserved)

    customers = {
        customer.email: seeder.register(customer.email, customer.first_name, customer.last_name)
        for customer, _ in holdings
    }
    tickets = seeder.issue(
        TicketSpec(
            owner=customers[customer.email],
            serial=demo_ticket.serial,
            tier=demo_ticket.tier,
            visit=today + timedelta(days=demo_ticket.visit_in_days),
            purchased_at=now - timedelta(days=30),
            status=demo_ticket.status,
        )
        for customer, owned in holdings
        for demo_ticket in owned
    )
    by_number = {ticket.number.value: ticket.id for ticket in tickets}
    for upgrade in upgrades:
        ticket_id = by_number[TicketNumber.from_serial(upgrade.serial).value]
        seeder.upgrade(
            customers[upgrade.email], ticket_id, upgrade.tier, upgrade.day, upgrade.outcome
        )
    log.info(
        "demo data loaded",
        extra={
            "customers": len(customers),
            "tickets": len(tickets),
            "nearly_sold_out": crowd_day.isoformat(),
            "crowd": crowd.customers if crowd else 0,
        },
    )
