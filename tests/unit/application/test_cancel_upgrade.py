"""CancelUpgrade: a live quote gives its unit back; cancelling again changes nothing."""

from datetime import date, timedelta

import pytest

from domain.errors import BusinessRuleError, NotFoundError
from domain.orders import OrderStatus, PaymentInProgressError
from domain.tiers import Tier
from tests.builders import World
from tests.unit.application.conftest import CountingGateway, WorldFactory

DAY = date(2026, 3, 20)


def audit_actions(world: World, order_id: object) -> list[str]:
    with world.container.unit_of_work() as uow:
        return [e.action for e in uow.audit.for_entity("upgrade_order", str(order_id))]


def test_cancelling_a_quote_gives_its_unit_to_the_next_customer(
    world_with: WorldFactory,
) -> None:
    world = world_with(capacity_overrides={f"{DAY}:double-fun": 1})
    ana, ben = world.customer(), world.customer()
    order = world.quote(ana, world.ticket(ana), Tier.DOUBLE_FUN, DAY)
    bens = world.ticket(ben)
    with pytest.raises(BusinessRuleError, match="sold out"):
        world.quote(ben, bens, Tier.DOUBLE_FUN, DAY)

    cancelled = world.container.cancel_upgrade()(ana, order.id)

    assert cancelled.status is OrderStatus.CANCELLED
    assert world.container.get_order()(ana, order.id).status is OrderStatus.CANCELLED
    assert world.quote(ben, bens, Tier.DOUBLE_FUN, DAY).status is OrderStatus.PENDING


def test_cancelling_is_audited_once_and_leaves_the_ticket_alone(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)
    order = world.quote(ana, ticket, Tier.NON_STOP, DAY)

    world.container.cancel_upgrade()(ana, order.id)

    assert audit_actions(world, order.id) == ["upgrade.quoted", "upgrade.cancelled"]
    stored = world.stored_ticket(ticket.id)
    assert (stored.tier, stored.visit_date) == (ticket.tier, ticket.visit_date)


def test_cancelling_twice_is_harmless(world: World) -> None:
    ana = world.customer()
    order = world.quote(ana, world.ticket(ana), Tier.NON_STOP, DAY)
    first = world.container.cancel_upgrade()(ana, order.id)

    world.clock.advance(timedelta(minutes=1))
    second = world.container.cancel_upgrade()(ana, order.id)

    assert first.status is second.status is OrderStatus.CANCELLED
    assert second.order.updated_at == first.order.updated_at
    assert audit_actions(world, order.id) == ["upgrade.quoted", "upgrade.cancelled"]


def test_a_confirmed_upgrade_cannot_be_cancelled(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)
    order = world.quote(ana, ticket, Tier.NON_STOP, DAY)
    world.pay(ana, order.id)

    with pytest.raises(BusinessRuleError) as raised:
        world.container.cancel_upgrade()(ana, order.id)

    assert raised.value.code == "order_already_paid"
    assert world.container.get_order()(ana, order.id).status is OrderStatus.CONFIRMED
    assert world.stored_ticket(ticket.id).tier is Tier.NON_STOP


def test_a_lapsed_quote_has_nothing_left_to_cancel(world: World) -> None:
    ana = world.customer()
    order = world.quote(ana, world.ticket(ana), Tier.NON_STOP, DAY)
    world.clock.advance(timedelta(minutes=15))

    with pytest.raises(BusinessRuleError) as raised:
        world.container.cancel_upgrade()(ana, order.id)

    assert raised.value.code == "order_expired"
    assert world.container.get_order()(ana, order.id).status is OrderStatus.EXPIRED


def test_someone_elses_quote_cannot_be_cancelled(world: World) -> None:
    ana, ben = world.customer(), world.customer()
    order = world.quote(ana, world.ticket(ana), Tier.NON_STOP, DAY)

    with pytest.raises(NotFoundError) as raised:
        world.container.cancel_upgrade()(ben, order.id)

    assert raised.value.code == "order_not_found"
    assert world.container.get_order()(ana, order.id).status is OrderStatus.PENDING


def test_an_order_being_paid_cannot_be_cancelled(
    paying_world: World, gateway: CountingGateway
) -> None:
    world = paying_world
    ana = world.customer()
    order = world.quote(ana, world.ticket(ana), Tier.NON_STOP, DAY)
    seen: list[object] = []

    def cancel_mid_charge(_: object) -> None:
        seen.append(world.container.get_order()(ana, order.id).status)
        with pytest.raises(PaymentInProgressError) as raised:
            world.container.cancel_upgrade()(ana, order.id)
        seen.append(raised.value.code)

    gateway.during = cancel_mid_charge
    paid = world.pay(ana, order.id)

    assert seen == [OrderStatus.PROCESSING, "payment_in_progress"]
    assert paid.status is OrderStatus.CONFIRMED
