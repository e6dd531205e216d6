"""Races: many customers after the last unit, many clicks on one Pay button, many tabs quoting
one ticket. The lock-then-count rule must let exactly one through; a control run with a
capacity repository that counts without locking shows these tests would catch a race."""

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import TypeVar

import pytest

from adapters.clock import FixedClock
from adapters.memory import unit_of_work as memory_unit_of_work
from adapters.memory.unit_of_work import MemoryCapacityRepository
from domain.capacity import DailyCapacity
from domain.errors import DomainError
from domain.ids import CustomerId
from domain.orders import OrderStatus
from domain.tickets import Ticket
from domain.tiers import Tier
from tests.builders import World
from tests.unit.application.conftest import CountingGateway, WorldFactory, usage

DAY = date(2026, 3, 20)
CUSTOMERS = 50
Item = TypeVar("Item")


def all_at_once(items: list[Item], action: Callable[[Item], object]) -> Counter[str]:
    """Run `action` on every item in its own thread, released together; count the outcomes
    by error code ("ok" for a success)."""
    start = threading.Barrier(len(items))

    def run(item: Item) -> str:
        start.wait()
        try:
            action(item)
        except DomainError as error:
            return error.code
        return "ok"

    with ThreadPoolExecutor(len(items)) as pool:
        return Counter(pool.map(run, items))


def customers_with_tickets(world: World, count: int) -> list[tuple[CustomerId, Ticket]]:
    pairs = []
    for _ in range(count):
        customer = world.customer()
        pairs.append((customer, world.ticket(customer)))
    return pairs


def race_for_the_last_unit(world: World) -> tuple[Counter[str], list[OrderStatus]]:
    pairs = customers_with_tickets(world, CUSTOMERS)
    outcomes = all_at_once(pairs, lambda pair: world.quote(pair[0], pair[1], Tier.DOUBLE_FUN, DAY))
    orders = [r.status for customer, _ in pairs for r in world.container.list_my_orders()(customer)]
    return outcomes, orders


@pytest.fixture
def last_unit_world(world_with: WorldFactory) -> World:
    return world_with(capacity_overrides={f"{DAY}:double-fun": 1})


def test_fifty_customers_quoting_the_last_unit_at_once_get_one_order_and_49_sold_out(
    last_unit_world: World,
) -> None:
    outcomes, orders = race_for_the_last_unit(last_unit_world)

    assert outcomes == Counter({"ok": 1, "sold_out": CUSTOMERS - 1})
    assert orders == [OrderStatus.PENDING]
    assert usage(last_unit_world, Tier.DOUBLE_FUN, DAY) == (0, 1)


class CountsWithoutLocking(MemoryCapacityRepository):
    """The bug the lock prevents: count, pause (a slow query), then decide on a stale count."""

    def lock(self, tier: Tier, day: date, capacity: int, now: datetime) -> DailyCapacity:
        key = (tier, day)
        sold, held = self._store.sold.get(key, 0), self._store.live_holds(key, now)
        time.sleep(0.005)
        return DailyCapacity(tier, day, capacity, sold, held)


def test_control_without_the_capacity_lock_the_same_race_oversells(
    last_unit_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory_unit_of_work, "MemoryCapacityRepository", CountsWithoutLocking)

    outcomes, orders = race_for_the_last_unit(last_unit_world)

    assert outcomes["ok"] > 1, "the race test could not tell a locked count from an unlocked one"
    assert len(orders) == outcomes["ok"]
    assert usage(last_unit_world, Tier.DOUBLE_FUN, DAY)[1] > 1


def test_many_tabs_quoting_one_ticket_at_once_create_one_order(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)
    choices = [(tier, DAY + timedelta(days=n)) for n in range(5) for tier in Tier if tier.rank]

    outcomes = all_at_once(choices, lambda choice: world.quote(ana, ticket, *choice))

    assert outcomes == Counter({"ok": 1, "upgrade_in_progress": len(choices) - 1})
    [order] = world.container.list_my_orders()(ana)
    held = sum(usage(world, tier, day)[1] for tier, day in choices)
    assert held == 1
    assert order.status is OrderStatus.PENDING


def test_paying_one_order_from_many_clicks_at_once_charges_and_confirms_once(
    world_with: WorldFactory, clock: FixedClock
) -> None:
    gateway = CountingGateway(clock, delay=0.05)  # slow enough for the clicks to overlap
    world = world_with(overrides={"payment_gateway": gateway})
    ana = world.customer()
    ticket = world.ticket(ana)
    order = world.quote(ana, ticket, Tier.NON_STOP, DAY)

    outcomes = all_at_once(list(range(10)), lambda _: world.pay(ana, order.id))

    assert outcomes["ok"] == 1
    assert set(outcomes) <= {"ok", "payment_in_progress", "order_already_paid"}
    assert len(gateway.requests) == 1
    assert len(gateway.charges) == 1
    assert world.container.get_order()(ana, order.id).status is OrderStatus.CONFIRMED
    assert world.stored_ticket(ticket.id).price_paid == ticket.price_paid + order.order.amount_due
    assert usage(world, Tier.NON_STOP, DAY) == (1, 0)
    with world.container.unit_of_work() as uow:
        assert len(uow.outbox.for_order(order.id)) == 1
        actions = [e.action for e in uow.audit.for_entity("upgrade_order", str(order.id))]
    assert actions.count("upgrade.confirmed") == 1
    assert len(world.sent_emails()) == 1
