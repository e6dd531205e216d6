"""GetOrder and ListMyOrders: my orders only, newest first, with their status and email state."""

import uuid
from datetime import date, timedelta

import pytest

from application.errors import PaymentDeclinedError
from domain.errors import NotFoundError
from domain.ids import OrderId
from domain.orders import OrderStatus
from domain.tiers import Tier
from tests.builders import CARDS, World

DAY = date(2026, 3, 20)


def test_an_order_is_shown_to_its_customer(world: World) -> None:
    ana = world.customer()
    order = world.quote(ana, world.ticket(ana), Tier.STANDARD, DAY)

    shown = world.container.get_order()(ana, order.id)

    assert shown.id == order.id
    assert (shown.status, shown.email_status, shown.attempts_left) == (
        OrderStatus.PENDING,
        None,
        3,
    )
    assert shown.order.amount_due == order.order.amount_due


def test_someone_elses_order_and_a_missing_one_are_both_not_found(world: World) -> None:
    ana, ben = world.customer(), world.customer()
    bens = world.quote(ben, world.ticket(ben), Tier.STANDARD, DAY)

    for order_id in (bens.id, OrderId(uuid.uuid4())):
        with pytest.raises(NotFoundError) as raised:
            world.container.get_order()(ana, order_id)
        assert raised.value.code == "order_not_found"


def test_a_quote_past_its_time_is_shown_expired(world: World) -> None:
    ana = world.customer()
    order = world.quote(ana, world.ticket(ana), Tier.STANDARD, DAY)

    world.clock.advance(timedelta(minutes=15))

    assert world.container.get_order()(ana, order.id).status is OrderStatus.EXPIRED


def test_the_email_status_goes_from_pending_to_sent_when_the_outbox_is_dispatched(
    world: World,
) -> None:
    ana = world.customer()
    order = world.quote(ana, world.ticket(ana), Tier.STANDARD, DAY)
    world.pay(ana, order.id)
    assert world.container.get_order()(ana, order.id).email_status == "pending"

    world.container.dispatch_outbox()()

    assert world.container.get_order()(ana, order.id).email_status == "sent"
    [listed] = world.container.list_my_orders()(ana)
    assert listed.email_status == "sent"


def test_the_email_status_is_failed_when_the_mail_system_refuses_it(world: World) -> None:
    ana = world.customer()
    order = world.quote(ana, world.ticket(ana), Tier.STANDARD, DAY)
    world.pay(ana, order.id)
    sender = world.container.email_sender()
    sender.failures_to_come, sender.permanent = 1, True

    world.container.dispatch_outbox()()

    shown = world.container.get_order()(ana, order.id)
    assert (shown.status, shown.email_status) == (OrderStatus.CONFIRMED, "failed")


def test_my_orders_are_listed_newest_first_and_only_mine(world: World) -> None:
    ana, ben = world.customer(), world.customer()
    oldest = world.quote(ana, world.ticket(ana), Tier.STANDARD, DAY)
    world.clock.advance(timedelta(minutes=1))
    world.quote(ben, world.ticket(ben), Tier.STANDARD, DAY)
    world.clock.advance(timedelta(minutes=1))
    middle = world.quote(ana, world.ticket(ana), Tier.NON_STOP, DAY)
    world.clock.advance(timedelta(minutes=1))
    newest = world.quote(ana, world.ticket(ana), Tier.DOUBLE_FUN, DAY)

    listed = world.container.list_my_orders()(ana)

    assert [r.id for r in listed] == [newest.id, middle.id, oldest.id]


def test_each_listed_order_shows_its_own_state(world: World) -> None:
    ana = world.customer()
    lapsed = world.quote(ana, world.ticket(ana), Tier.STANDARD, DAY)
    world.clock.advance(timedelta(minutes=20))
    paid = world.quote(ana, world.ticket(ana), Tier.STANDARD, DAY)
    world.pay(ana, paid.id)
    world.clock.advance(timedelta(minutes=1))
    declined = world.quote(ana, world.ticket(ana), Tier.NON_STOP, DAY)
    with pytest.raises(PaymentDeclinedError):
        world.pay(ana, declined.id, CARDS["card_declined"])

    states = {
        r.id: (r.status, r.email_status, r.attempts_left)
        for r in world.container.list_my_orders()(ana)
    }

    assert states == {
        lapsed.id: (OrderStatus.EXPIRED, None, 3),
        paid.id: (OrderStatus.CONFIRMED, "pending", 3),
        declined.id: (OrderStatus.PENDING, None, 2),
    }


def test_a_customer_without_orders_gets_an_empty_list(world: World) -> None:
    assert world.container.list_my_orders()(world.customer()) == []
