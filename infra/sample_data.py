"""Generated sample data: N customers, their tickets across every tier and status, and a past of
upgrade orders, for load tests, demos and anyone who needs a park that has been open a while.

Two steps. `plan_sample_data` decides everything, as a pure function of the spec, the park's
rules, its "today" and the capacity already in use: who registers when, which tickets they hold
(numbers, tiers, visit dates, purchase times, what became of them), and which upgrades they
quoted, when, for which tier and date, and how each ended. Then the plan is replayed in time
order through the `Seeder`: real use cases on a clock set to each planned instant, tickets
written as the ticketing system sold them.

Deterministic: every draw comes from `random.Random`s seeded from the seed (one per customer,
so customer 17's name, tickets and orders are the same whatever N is), the timeline is laid
out in park-local dates before today (never the time of day it runs), and ids come from the
container's IdGenerator: `sample_data_container` injects `SeededIdGenerator(seed)`. The same
seed on the same day gives the same customers, tickets, numbers, orders, states and amounts,
on any store.

Never a refusal: each order is planned where the rules allow it (an active ticket, a higher
tier, a bookable date, capacity left counting every order planned and every unit already in
use), and a use case that refuses anyway stops the run: that is a bug here.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import IntEnum
from typing import Any, TypeVar

from adapters.clock import FixedClock, SystemClock
from adapters.ids import SeededIdGenerator
from domain.calendar import DateStatus
from domain.customers import EmailAddress
from domain.ids import CustomerId, TicketId
from domain.policy import UpgradePolicy
from domain.tickets import TicketNumber, TicketStatus
from domain.tiers import TOP_TIER, UPGRADE_TIERS, Tier
from infra.container import Container, build_container
from infra.sample_people import Person, person
from infra.seeding import DECLINING_CARDS, Outcome, Seeder, TicketSpec
from infra.settings import Settings

CapacityKey = tuple[Tier, date]
_T = TypeVar("_T")

# Generated tickets are numbered TKT-40000000 to TKT-99999999; the demo's are below.
FIRST_SERIAL, SERIALS = 40_000_000, 60_000_000

TIERS_SOLD = {Tier.GENERAL: 55, Tier.STANDARD: 25, Tier.NON_STOP: 13, Tier.DOUBLE_FUN: 7}
OUTCOMES = {
    Outcome.CONFIRMED: 55,
    Outcome.DECLINED_THEN_PAID: 12,
    Outcome.CANCELLED: 13,
    Outcome.QUOTED: 15,  # left unpaid in the past: a lapsed quote
    Outcome.FAILED: 5,
}
PAST_VISITS = {TicketStatus.USED: 82, TicketStatus.EXPIRED: 12, TicketStatus.ACTIVE: 6}
CANCELLED_SHARE, REFUNDED_SHARE = 0.05, 0.04  # tickets the ticket office took back
SAME_DAY_SHARE = 0.75  # upgrades that keep the ticket's visit date
SECOND_ORDER_SHARE = 0.2  # tickets with an order that come back for another
NEARBY_DAYS = 10  # how far from its visit date an upgrade may move a ticket
PAUSE = timedelta(minutes=30)  # between a ticket's purchase, its orders, and the next order
LATEST_QUOTE_HOUR = 21  # leaves hours before midnight for a replayed order's clicks


@dataclass(frozen=True, slots=True)
class SampleSpec:
    """What to generate. `order_share` is the share of the tickets still held that have had
    at least one upgrade order; `history_days` how far back customers registered."""

    seed: int
    customers: int
    tickets_per_customer: tuple[int, int] = (1, 4)
    order_share: float = 0.5
    history_days: int = 90

    def __post_init__(self) -> None:
        low, high = self.tickets_per_customer
        if self.seed < 0 or self.customers < 0:
            raise ValueError("the seed and the number of customers cannot be negative")
        if not 0 <= low <= high:
            raise ValueError(f"tickets per customer must be a range like (1, 4), not {low, high}")
        if self.customers * high > SERIALS:
            raise ValueError(f"at most {SERIALS} generated tickets: ask for fewer")
        if not 0 <= self.order_share <= 1:
            raise ValueError("the share of tickets with orders is between 0 and 1")
        if self.history_days < 7:
            raise ValueError("a history of at least 7 days")


@dataclass(slots=True)
class PlannedTicket:
    owner: int  # the customer's position in the plan
    serial: int
    tier: Tier  # as sold; confirmed upgrades move it later
    visit: date
    purchased_at: datetime
    status: TicketStatus = TicketStatus.ACTIVE  # what it ends up as
    status_at: datetime | None = None  # when it became that, if not active

    @property
    def number(self) -> TicketNumber:
        return TicketNumber.from_serial(self.serial)


@dataclass(frozen=True, slots=True)
class PlannedOrder:
    ticket: int  # the ticket's position in the plan
    at: datetime
    tier: Tier
    day: date
    outcome: Outcome
    declining_card: str


@dataclass(slots=True)
class SamplePlan:
    spec: SampleSpec
    people: list[Person] = field(default_factory=list)
    registered_at: list[datetime] = field(default_factory=list)
    tickets: list[PlannedTicket] = field(default_factory=list)
    orders: list[PlannedOrder] = field(default_factory=list)

    @property
    def emails(self) -> tuple[str, ...]:
        return tuple(p.email for p in self.people)

    def summary(self) -> SampleSummary:
        return SampleSummary(
            seed=self.spec.seed,
            emails=self.emails,
            tickets=len(self.tickets),
            ticket_statuses=Counter(t.status.value for t in self.tickets),
            orders=Counter(_ORDER_STATE[o.outcome] for o in self.orders),
        )


_ORDER_STATE = {
    Outcome.CONFIRMED: "confirmed",
    Outcome.DECLINED_THEN_PAID: "confirmed",
    Outcome.CANCELLED: "cancelled",
    Outcome.QUOTED: "expired",
    Outcome.FAILED: "failed",
}


@dataclass(frozen=True, slots=True)
class SampleSummary:
    seed: int
    emails: tuple[str, ...]
    tickets: int
    ticket_statuses: Mapping[str, int]
    orders: Mapping[str, int]  # by the state each ends in: confirmed, cancelled, expired, failed

    @property
    def customers(self) -> int:
        return len(self.emails)

    @classmethod
    def read(cls, seed: int, rows: Sequence[Mapping[str, Any]]) -> SampleSummary:
        """What a store holds, from the rows `describe` read from it."""
        found = [row for row in rows if not row.get("missing")]
        return cls(
            seed=seed,
            emails=tuple(row["email"] for row in found),
            tickets=sum(len(row["tickets"]) for row in found),
            ticket_statuses=Counter(t[5] for row in found for t in row["tickets"]),
            orders=Counter(o["status"] for row in found for o in row["orders"]),
        )

    def line(self) -> str:
        states = ", ".join(
            f"{self.orders.get(state, 0)} {state}"
            for state in ("confirmed", "cancelled", "expired", "failed")
        )
        return (
            f"{self.customers} customers, {self.tickets} tickets, "
            f"{sum(self.orders.values())} past orders ({states})"
        )


class SampleDataConflictError(RuntimeError):
    """The store already holds customers or tickets this seed would create."""


def sample_people(spec: SampleSpec) -> list[Person]:
    """Who the spec's customers are, without planning the rest."""
    return [person(_customer_random(spec.seed, i), spec.seed, i) for i in range(spec.customers)]


def _customer_random(seed: int, index: int) -> random.Random:
    return random.Random(f"{seed}:customer:{index}")  # noqa: S311  # reproducible on purpose


# -- planning ---------------------------------------------------------------------------------


def plan_sample_data(
    spec: SampleSpec, policy: UpgradePolicy, today: date, in_use: Mapping[CapacityKey, int]
) -> SamplePlan:
    """Everything to create, decided up front; `in_use` counts the units of each (tier, date)
    that are sold, held or reserved already."""
    return _Planner(spec, policy, today, in_use).plan()


class _Planner:
    def __init__(
        self,
        spec: SampleSpec,
        policy: UpgradePolicy,
        today: date,
        in_use: Mapping[CapacityKey, int],
    ) -> None:
        self.spec, self.policy, self.today = spec, policy, today
        self.window = policy.window
        self.used = Counter(in_use)
        self.history_end = self.instant(today)  # midnight: history is yesterday and before
        self.last_sale = self.history_end - timedelta(hours=1)
        self.result = SamplePlan(spec)
        numbers = random.Random(f"{spec.seed}:numbers")  # noqa: S311  # reproducible on purpose
        # serial(j) = FIRST + (a·j + b) mod SERIALS, a prime to SERIALS: a permutation, so
        # numbers never repeat within a seed and look like nothing in particular.
        self.step = next(
            a
            for a in iter(lambda: numbers.randrange(1, SERIALS), None)
            if math.gcd(a, SERIALS) == 1
        )
        self.offset = numbers.randrange(SERIALS)

    def plan(self) -> SamplePlan:
        for index in range(self.spec.customers):
            self.customer(index, _customer_random(self.spec.seed, index))
        return self.result

    def instant(self, day: date, hour: int = 0, minutes: int = 0) -> datetime:
        local = datetime.combine(day, time(hour), tzinfo=self.policy.park.zone)
        return (local + timedelta(minutes=minutes)).astimezone(UTC)

    @staticmethod
    def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
        """A whole minute in [start, end), or `start` when the span is empty."""
        span = int((end - start).total_seconds() // 60)
        return start + timedelta(minutes=rng.randrange(span)) if span > 0 else start

    def customer(self, index: int, rng: random.Random) -> None:
        self.result.people.append(person(rng, self.spec.seed, index))
        joined = self.today - timedelta(days=rng.randint(3, self.spec.history_days))
        registered = self.instant(joined, 7, rng.randrange(16 * 60))
        self.result.registered_at.append(registered)
        for _ in range(rng.randint(*self.spec.tickets_per_customer)):
            self.ticket(index, joined, registered, rng)

    def ticket(self, owner: int, joined: date, registered: datetime, rng: random.Random) -> None:
        tier = _weighted(rng, TIERS_SOLD)
        first, last = (
            joined + timedelta(days=1),
            self.today + timedelta(days=self.window.horizon_days),
        )
        visit = self.open_day(first + timedelta(days=rng.randrange((last - first).days + 1)))
        bought = self.between(
            rng,
            registered + timedelta(minutes=5),
            min(self.last_sale, self.instant(visit - timedelta(days=1), 20)),
        )
        position = len(self.result.tickets)
        serial = FIRST_SERIAL + (self.step * position + self.offset) % SERIALS
        ticket = PlannedTicket(owner, serial, tier, visit, bought)
        self.result.tickets.append(ticket)

        fate = rng.random()
        if fate < CANCELLED_SHARE + REFUNDED_SHARE:
            ticket.status = (
                TicketStatus.CANCELLED if fate < CANCELLED_SHARE else TicketStatus.REFUNDED
            )
            ticket.status_at = self.between(
                rng, bought + PAUSE, min(self.history_end, self.instant(visit, 8))
            )
            return
        if rng.random() < self.spec.order_share:
            tier, visit = self.orders(position, ticket, rng)
        if visit < self.today:
            ticket.status = _weighted(rng, PAST_VISITS)
            if ticket.status is TicketStatus.USED:
                ticket.status_at = self.instant(visit, 9, rng.randrange(9 * 60))
            elif ticket.status is TicketStatus.EXPIRED:
                ticket.status_at = self.instant(visit, 23, 30)  # the park closed without them

    def orders(self, position: int, ticket: PlannedTicket, rng: random.Random) -> tuple[Tier, date]:
        """The ticket's upgrade orders, one after the other; where the ticket ends up."""
        tier, visit, not_before = ticket.tier, ticket.visit, ticket.purchased_at + PAUSE
        for _ in range(2 if rng.random() < SECOND_ORDER_SHARE else 1):
            earliest = max(
                not_before, self.instant(visit - timedelta(days=self.window.horizon_days))
            )
            latest = min(
                self.history_end - timedelta(hours=3),
                self.instant(
                    visit - timedelta(days=self.window.min_notice_days), LATEST_QUOTE_HOUR
                ),
            )
            if tier is TOP_TIER or earliest >= latest:
                break
            at = self.between(rng, earliest, latest)
            choice = self.upgrade(rng, tier, visit, self.policy.park.today(at))
            if choice is None:
                break
            target, day = choice
            outcome = _weighted(rng, OUTCOMES)
            self.used[(target, day)] += 1  # every order, whatever its end: a hold is a unit too
            self.result.orders.append(
                PlannedOrder(position, at, target, day, outcome, rng.choice(DECLINING_CARDS))
            )
            if outcome.moves_the_ticket:
                tier, visit = target, day
            not_before = at + self.policy.hold + PAUSE
        return tier, visit

    def upgrade(
        self, rng: random.Random, tier: Tier, visit: date, quoted_on: date
    ) -> tuple[Tier, date] | None:
        """A higher tier (the next rung most often) on the visit date or a date nearby, that is
        bookable on `quoted_on` and has a unit left."""
        above = [t for t in UPGRADE_TIERS if t.is_above(tier)]
        wanted = rng.choices(above, weights=[4, 2, 1][: len(above)])[0]
        tiers = [wanted] + [t for t in above if t is not wanted]
        nearby = [visit + timedelta(days=d) for d in range(-NEARBY_DAYS, NEARBY_DAYS + 1) if d]
        days = [visit] if rng.random() < SAME_DAY_SHARE else rng.sample(nearby, len(nearby))
        for candidate in tiers:
            for day in [*days, visit]:
                bookable = self.window.status(day, quoted_on) is DateStatus.BOOKABLE
                if bookable and self.used[(candidate, day)] < self.capacity(candidate, day):
                    return candidate, day
        return None

    def capacity(self, tier: Tier, day: date) -> int:
        return self.policy.capacity.capacity(tier, day)

    def open_day(self, day: date) -> date:
        """No ticket is sold for a closed day: the next open one, or else the last before."""
        later = day
        while self.window.is_closed(later):
            later += timedelta(days=1)
        if later <= self.today + timedelta(days=self.window.horizon_days):
            return later
        while self.window.is_closed(day):
            day -= timedelta(days=1)
        return day


def _weighted(rng: random.Random, weights: Mapping[_T, int]) -> _T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# -- replaying --------------------------------------------------------------------------------


class _Event(IntEnum):
    """What happens at an instant; at the same instant, in this order."""

    REGISTER = 0
    ISSUE = 1
    ORDER = 2
    STATUS = 3


def _timeline(plan: SamplePlan) -> list[tuple[datetime, _Event, int]]:
    events = [(at, _Event.REGISTER, i) for i, at in enumerate(plan.registered_at)]
    events += [(t.purchased_at, _Event.ISSUE, i) for i, t in enumerate(plan.tickets)]
    events += [(o.at, _Event.ORDER, i) for i, o in enumerate(plan.orders)]
    events += [
        (t.status_at, _Event.STATUS, i)
        for i, t in enumerate(plan.tickets)
        if t.status_at is not None
    ]
    return sorted(events)


def replay(seeder: Seeder, plan: SamplePlan) -> None:
    """Make the plan happen, in time order, then come back to the present."""
    events = _timeline(plan)
    if not events:
        return
    customers: dict[int, CustomerId] = {}
    tickets: dict[int, TicketId] = {}
    seeder.begin_history(events[0][0])
    for at, kind, index in events:
        seeder.travel_to(at)
        if kind is _Event.REGISTER:
            who = plan.people[index]
            customers[index] = seeder.register(who.email, who.first_name, who.last_name)
        elif kind is _Event.ISSUE:
            ticket = plan.tickets[index]
            spec = TicketSpec(
                customers[ticket.owner],
                ticket.serial,
                ticket.tier,
                ticket.visit,
                ticket.purchased_at,
            )
            tickets[index] = seeder.issue([spec])[0].id
        elif kind is _Event.ORDER:
            order = plan.orders[index]
            owner = plan.tickets[order.ticket].owner
            seeder.upgrade(
                customers[owner],
                tickets[order.ticket],
                order.tier,
                order.day,
                order.outcome,
                card_holder=plan.people[owner].display_name,
                at=order.at,
                declining_card=order.declining_card,
            )
            if order.outcome.moves_the_ticket or order.outcome is Outcome.FAILED:
                seeder.deliver_emails()  # the dispatcher sends within the second
        else:
            ticket = plan.tickets[index]
            assert ticket.status_at is not None
            seeder.set_status(tickets[index], ticket.status, ticket.status_at)
    seeder.end_history()


# -- the whole run ----------------------------------------------------------------------------


def generate_sample_data(
    container: Container, spec: SampleSpec, reserved: Mapping[CapacityKey, int] | None = None
) -> SampleSummary:
    """Plan and replay `spec` into the container's store. `reserved` keeps units of some
    (tier, date)s free for someone else (the demo's tour group).

    Raises `SampleDataConflictError`, before writing anything, when the store already holds
    one of the seed's customers or ticket numbers; `ClockNotSettableError` when the container's
    clock cannot be set.
    """
    seeder = Seeder(container)
    policy, today = seeder.policy, seeder.today
    history_start = today - timedelta(days=spec.history_days + 1)
    keys = [
        (tier, history_start + timedelta(days=offset))
        for tier in UPGRADE_TIERS
        for offset in range(spec.history_days + policy.window.horizon_days + 2 + NEARBY_DAYS)
    ]
    with container.unit_of_work() as uow:
        # Holds counted as of the start of history: a quote that lapsed since held a unit then.
        start = datetime.combine(history_start, time(), tzinfo=policy.park.zone)
        usage = uow.capacity.usage(keys, start)
    in_use = Counter({key: sold + held for key, (sold, held) in usage.items()})
    in_use.update(reserved or {})
    plan = plan_sample_data(spec, policy, today, in_use)
    _check_nothing_is_there(container, plan)
    replay(seeder, plan)
    return plan.summary()


def _check_nothing_is_there(container: Container, plan: SamplePlan) -> None:
    with container.unit_of_work() as uow:
        for who in plan.people:
            if uow.customers.by_email(EmailAddress.parse(who.email)) is not None:
                raise SampleDataConflictError(
                    f"this database already holds the customers of seed {plan.spec.seed} "
                    f"({who.email}); pick another seed, or start from an empty database"
                )
        for ticket in plan.tickets:
            if uow.tickets.id_for_number(ticket.number) is not None:
                raise SampleDataConflictError(
                    f"ticket {ticket.number} of seed {plan.spec.seed} already exists; "
                    "pick another seed"
                )


SAMPLE_HASH_COST = 2**10


def sample_data_container(settings: Settings, seed: int) -> Container:
    """A container for generating data: ids drawn from the seed, and a clock set to now that
    history can be replayed on. Emails of the past are marked sent, never delivered. Every
    sample login has the published demo password, so a slow hash would protect nothing and
    take most of the run: theirs are hashed at a lower cost (stored with each hash)."""
    cost = min(settings.password_hash_cost, SAMPLE_HASH_COST)
    return build_container(
        # Past orders are written as history, never charged: no gateway is needed.
        settings.model_copy(
            update={"email": "recording", "payments": "dummy", "password_hash_cost": cost}
        ),
        overrides={"ids": SeededIdGenerator(seed), "clock": FixedClock(SystemClock().now())},
    )


# -- reading it back --------------------------------------------------------------------------


def describe(container: Container, emails: Sequence[str]) -> list[dict[str, Any]]:
    """The stored customers of `emails`, with their tickets, orders, payment attempts and
    emails, as plain sorted values: what two stores holding the same data agree on. Random by
    nature and left out: identity subjects, password hashes and the gateway's charge ids."""
    now = container.clock().now()
    rows: list[dict[str, Any]] = []
    with container.unit_of_work() as uow:
        for email in emails:
            customer = uow.customers.by_email(EmailAddress.parse(email))
            if customer is None:
                rows.append({"email": email, "missing": True})
                continue
            tickets = sorted(
                uow.tickets.list_for_customer(customer.id), key=lambda t: t.number.value
            )
            orders = sorted(
                uow.orders.list_for_customer(customer.id), key=lambda o: (o.created_at, str(o.id))
            )
            rows.append(
                {
                    "id": customer.id,
                    "email": customer.email.value,
                    "name": [customer.first_name, customer.last_name],
                    "created_at": customer.created_at,
                    "tickets": [
                        [
                            t.id,
                            t.number.value,
                            t.tier.key,
                            t.visit_date,
                            t.price_paid.amount,
                            t.status.value,
                            t.purchased_at,
                            t.updated_at,
                        ]
                        for t in tickets
                    ],
                    "orders": [
                        {
                            "id": o.id,
                            "ticket": o.ticket_number.value,
                            "from": [o.from_tier.key, o.from_date, o.from_price_paid.amount],
                            "to": [o.tier.key, o.day, o.price.amount],
                            "amount_due": o.amount_due.amount,
                            "status": o.status_at(now).value,
                            "declines": [o.attempts, o.declines, o.last_decline_code],
                            "card": [o.payment.brand, o.payment.last4] if o.payment else None,
                            "code": str(o.confirmation_code) if o.confirmation_code else None,
                            "times": [o.created_at, o.expires_at, o.confirmed_at],
                            "attempts": [
                                [a.attempt, a.outcome.value, a.decline_code, a.amount.amount]
                                for a in uow.payments.for_order(o.id)
                            ],
                            "emails": [
                                [m.kind.value, m.status.value, m.message.subject, m.sent_at]
                                for m in uow.outbox.for_order(o.id)
                            ],
                        }
                        for o in orders
                    ],
                }
            )
    return rows


def fingerprint(rows: Sequence[Mapping[str, Any]]) -> str:
    """A short digest of what `describe` read: equal digests, equal data."""
    canonical = json.dumps(list(rows), default=_plain, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _plain(value: object) -> str:
    """One spelling per value, whichever store it was read from."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)  # dates, UUIDs
