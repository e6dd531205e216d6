"""Capacity under any sequence of quotes, lapses, payments and cancels (a stateful model).

A small model of the rules of DOMAIN.md predicts the outcome of every step; the invariants
check, after every step, that no (tier, date) is ever oversold.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from application.errors import PaymentDeclinedError
from application.use_cases.cancel_upgrade import CancelUpgrade
from domain.errors import DomainError
from domain.ids import CustomerId, OrderId
from domain.orders import OrderStatus
from domain.tickets import Ticket
from domain.tiers import Tier
from tests.builders import CARDS, World
from tests.property.support import fresh_world

HOLD = timedelta(minutes=15)
MAX_DECLINES = 3
CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{8}")
DECLINING = ("card_declined", "insufficient_funds", "expired_card", "incorrect_cvc")
CARD_KINDS = ("success", *DECLINING, "processing_error")
UPGRADE_TIERS = (Tier.STANDARD, Tier.NON_STOP, Tier.DOUBLE_FUN)
NOT_PAYABLE = {
    "expired": "order_expired",
    "cancelled": "order_cancelled",
    "failed": "order_failed",
    "confirmed": "order_already_paid",
}
Result = TypeVar("Result")


def attempt(action: Callable[[], Result]) -> tuple[Result | None, DomainError | None]:
    """Run a use case; return its result or the domain error it raised."""
    try:
        return action(), None
    except DomainError as error:
        return None, error


def outcome(error: DomainError | None) -> str:
    return "ok" if error is None else error.code


@dataclass
class ModelOrder:
    """What the model knows of one order."""

    id: OrderId
    owner: CustomerId
    ticket: int
    pair: tuple[Tier, date]
    expires_at: datetime
    status: str = "pending"  # pending, confirmed, cancelled, failed (expiry is derived)
    declines: int = 0

    def state(self, now: datetime) -> str:
        if self.status == "pending" and now >= self.expires_at:
            return "expired"
        return self.status


class CapacityMachine(RuleBasedStateMachine):
    """Feature: ticket-auto-process, Property 9: For any valid upgrade tier selection, the system should process the selection and proceed to payment workflow

    A few tickets, one or two (tier, date) pairs with small capacities, and the clock; see the
    docstring of TestCapacityStateMachine below for what is checked."""  # noqa: E501

    world: World

    @initialize(
        pairs=st.lists(
            st.tuples(st.sampled_from(UPGRADE_TIERS), st.integers(min_value=5, max_value=7)),
            min_size=1,
            max_size=2,
            unique=True,
        ),
        capacities=st.lists(st.integers(min_value=0, max_value=3), min_size=2, max_size=2),
        ticket_tiers=st.lists(
            st.sampled_from([Tier.GENERAL, Tier.STANDARD, Tier.NON_STOP]),
            min_size=2,
            max_size=4,
        ),
    )
    def build(
        self, pairs: list[tuple[Tier, int]], capacities: list[int], ticket_tiers: list[Tier]
    ) -> None:
        probe = fresh_world()
        self.pairs = [(tier, probe.day(offset)) for tier, offset in pairs]
        self.capacity = dict(zip(self.pairs, capacities, strict=False))
        overrides = {f"{day.isoformat()}:{tier.key}": n for (tier, day), n in self.capacity.items()}
        # The model knows the test cards, not the circuit breaker: repeated processing errors
        # would open it and fail good cards fast (tests/unit/adapters/test_resilient_gateway.py
        # covers that). No waiting between retries either: their number is not modelled here.
        self.world = fresh_world(
            capacity_overrides=overrides,
            breaker_failure_threshold=1_000_000,
            payment_retry_first_delay_seconds=0.0,
            payment_retry_max_delay_seconds=0.0,
        )
        owners = [self.world.customer(), self.world.customer()]
        self.tickets: list[Ticket] = []
        self.ticket_owner: list[CustomerId] = []
        self.ticket_tier: list[Tier] = []
        for index, tier in enumerate(ticket_tiers):
            owner = owners[index % 2]
            self.tickets.append(self.world.ticket(owner, tier, visit_in=10))
            self.ticket_owner.append(owner)
            self.ticket_tier.append(tier)
        self.orders: list[ModelOrder] = []
        self.codes: set[str] = set()

    # -- the model ---------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self.world.clock.now()

    def live_order(self, ticket: int) -> ModelOrder | None:
        return next(
            (o for o in self.orders if o.ticket == ticket and o.state(self.now) == "pending"),
            None,
        )

    def in_use(self, pair: tuple[Tier, date]) -> int:
        return sum(
            1
            for o in self.orders
            if o.pair == pair and o.state(self.now) in ("pending", "confirmed")
        )

    # -- rules -------------------------------------------------------------------------------

    @rule(ticket=st.integers(min_value=0, max_value=3), pair=st.integers(min_value=0, max_value=1))
    def quote(self, ticket: int, pair: int) -> None:
        ticket %= len(self.tickets)
        tier, day = self.pairs[pair % len(self.pairs)]
        current = self.ticket_tier[ticket]
        if current is Tier.DOUBLE_FUN:
            expected = "already_top_tier"
        elif self.live_order(ticket) is not None:
            expected = "upgrade_in_progress"
        elif not tier.is_above(current):
            expected = "tier_not_higher"
        elif self.in_use((tier, day)) >= self.capacity[(tier, day)]:
            expected = "sold_out"
        else:
            expected = "ok"
        result, error = attempt(
            lambda: self.world.quote(self.ticket_owner[ticket], self.tickets[ticket], tier, day)
        )
        assert outcome(error) == expected
        if result is None:
            return
        assert result.status is OrderStatus.PENDING
        self.orders.append(
            ModelOrder(
                result.order.id,
                self.ticket_owner[ticket],
                ticket,
                (tier, day),
                result.order.expires_at,
            )
        )

    @rule(minutes=st.integers(min_value=1, max_value=20))
    def advance_clock(self, minutes: int) -> None:
        self.world.clock.advance(timedelta(minutes=minutes))

    @precondition(lambda self: self.orders)
    @rule(index=st.integers(min_value=0, max_value=50), card=st.sampled_from(CARD_KINDS))
    def pay(self, index: int, card: str) -> None:
        order = self.orders[index % len(self.orders)]
        state = order.state(self.now)
        if state != "pending":
            expected = NOT_PAYABLE[state]
        elif card == "processing_error":
            expected = "payment_unavailable"  # nothing charged: the quote stays payable
        else:
            expected = "ok" if card == "success" else card

        result, error = attempt(lambda: self.world.pay(order.owner, order.id, CARDS[card]))

        assert outcome(error) == expected
        if isinstance(error, PaymentDeclinedError):
            order.declines += 1
            if order.declines >= MAX_DECLINES:
                order.status = "failed"
            assert error.attempts_left == MAX_DECLINES - order.declines
        if result is None:
            return
        assert result.status is OrderStatus.CONFIRMED
        code = result.order.confirmation_code
        assert code is not None
        assert CODE.fullmatch(code.value)
        assert code.value not in self.codes, "a confirmation code was given twice"
        self.codes.add(code.value)
        order.status = "confirmed"
        self.ticket_tier[order.ticket] = order.pair[0]
        moved = self.world.stored_ticket(self.tickets[order.ticket].id)
        assert (moved.tier, moved.visit_date) == order.pair

    @precondition(lambda self: self.orders)
    @rule(index=st.integers(min_value=0, max_value=50))
    def cancel(self, index: int) -> None:
        order = self.orders[index % len(self.orders)]
        state = order.state(self.now)
        expected = "ok" if state in ("pending", "cancelled") else NOT_PAYABLE[state]
        cancel: CancelUpgrade = self.world.container.cancel_upgrade()

        result, error = attempt(lambda: cancel(order.owner, order.id))

        assert outcome(error) == expected
        if result is not None:
            assert result.status is OrderStatus.CANCELLED
            order.status = "cancelled"

    # -- invariants --------------------------------------------------------------------------

    @invariant()
    def capacity_is_never_oversold(self) -> None:
        if not hasattr(self, "world"):
            return
        store = self.world.container.memory_store()
        now = self.now
        for pair, capacity in self.capacity.items():
            orders = [o for o in store.orders.values() if (o.tier, o.day) == pair]
            confirmed = sum(1 for o in orders if o.status is OrderStatus.CONFIRMED)
            held = sum(1 for o in orders if o.holds_capacity(now))
            assert confirmed + held <= capacity, (pair, confirmed, held, capacity)
            assert store.sold.get(pair, 0) == confirmed
            assert store.live_holds(pair, now) == held
            assert confirmed + held == self.in_use(pair)  # the model agrees
            with self.world.container.unit_of_work() as uow:
                usage = uow.capacity.lock(pair[0], pair[1], capacity, now)
            assert usage.remaining == capacity - confirmed - held >= 0

    @invariant()
    def one_live_quote_per_ticket(self) -> None:
        if not hasattr(self, "world"):
            return
        store = self.world.container.memory_store()
        for ticket in self.tickets:
            live = [
                o
                for o in store.orders.values()
                if o.ticket_id == ticket.id and o.holds_capacity(self.now)
            ]
            assert len(live) <= 1


CapacityMachine.TestCase.settings = settings(stateful_step_count=30)
TestCapacityStateMachine = CapacityMachine.TestCase
TestCapacityStateMachine.__doc__ = """Feature: ticket-auto-process, Property 9: For any valid upgrade tier selection, the system should process the selection and proceed to payment workflow

Any interleaving of quotes, hold lapses, paid, declined and failed payments and cancels over a
few tickets and one or two (tier, date) pairs of small capacity: each step does what the model
predicts, confirmed + live holds never exceed the capacity of any (tier, date), what remains is
never negative, and every confirmation code is new and well formed."""  # noqa: E501


@given(
    capacity=st.integers(min_value=0, max_value=4),
    buyers=st.integers(min_value=1, max_value=8),
    tier=st.sampled_from(UPGRADE_TIERS),
)
def test_concurrent_quotes_never_take_more_than_the_capacity(
    capacity: int, buyers: int, tier: Tier
) -> None:
    """Feature: ticket-auto-process, Property 9: For any valid upgrade tier selection, the system should process the selection and proceed to payment workflow

    Quotes racing for the same (tier, date) from different tickets, on threads: exactly
    min(buyers, capacity) succeed, the rest are refused as sold out, and the store holds
    exactly that many live holds (DOMAIN.md: check after taking the lock, never before)."""  # noqa: E501
    probe = fresh_world()
    day = probe.day(6)
    world = fresh_world(capacity_overrides={f"{day.isoformat()}:{tier.key}": capacity})
    owner = world.customer()
    tickets = [world.ticket(owner, Tier.GENERAL, visit_in=10) for _ in range(buyers)]
    start = threading.Barrier(buyers)

    def race(ticket: Ticket) -> str:
        start.wait()
        return outcome(attempt(lambda: world.quote(owner, ticket, tier, day))[1])

    with ThreadPoolExecutor(max_workers=buyers) as pool:
        outcomes = list(pool.map(race, tickets))

    assert outcomes.count("ok") == min(buyers, capacity)
    assert outcomes.count("sold_out") == buyers - min(buyers, capacity)
    store = world.container.memory_store()
    assert store.live_holds((tier, day), world.clock.now()) == min(buyers, capacity)
