"""Refunding an upgrade order: only a confirmed one, until the day before its visit, once."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from domain.errors import BusinessRuleError, InvalidTransitionError
from domain.events import UpgradeRefunded
from domain.orders import OrderStatus, RefundNotAllowedError, UpgradeOrder
from domain.tiers import Tier
from tests.unit.domain.builders import (
    CODE,
    HOLD,
    LATER,
    NOW,
    ORDER_ID,
    RECEIPT,
    SOON,
    TODAY,
    cancelled,
    confirmed,
    expired,
    failed,
    paying,
    quoted,
    ticket,
    upgrade_price,
    usd,
)

MakeOrder = Callable[[], UpgradeOrder]

VISIT = date(2026, 3, 20)  # the upgrade's day (and the ticket's own visit date)
REFUND_TIME = NOW + timedelta(days=1)


def refunded() -> UpgradeOrder:
    order = confirmed()
    order.refund("re_first", REFUND_TIME)
    order.pull_events()
    return order


# -- the transition ------------------------------------------------------------------------------


def test_refunding_a_confirmed_upgrade_marks_it_refunded_and_raises_one_refunded_event() -> None:
    order = confirmed()

    order.refund("re_123", REFUND_TIME)

    assert order.status is OrderStatus.REFUNDED
    assert order.updated_at == REFUND_TIME
    assert order.pull_events() == [
        UpgradeRefunded(REFUND_TIME, ORDER_ID, order.customer_id, "re_123", order.amount_due)
    ]
    # What was paid for it is the amount given back; the payment and code stay on record.
    assert order.amount_due == usd("50.00")
    assert (order.payment, order.confirmation_code) == (RECEIPT, CODE)


def test_a_refunded_order_keeps_the_snapshot_that_puts_its_ticket_back() -> None:
    order = confirmed()

    order.refund("re_123", REFUND_TIME)

    assert (order.from_tier, order.from_date, order.from_price_paid) == (
        Tier.GENERAL,
        VISIT,
        usd("59.00"),
    )


def test_refunding_twice_is_harmless_and_keeps_the_first_refund() -> None:
    order = refunded()

    order.refund("re_second", REFUND_TIME + timedelta(hours=1))

    assert order.status is OrderStatus.REFUNDED
    assert order.updated_at == REFUND_TIME
    assert order.pull_events() == []


def test_asking_whether_a_refunded_order_is_refundable_again_is_not_an_error() -> None:
    order = refunded()

    order.check_refundable(TODAY)  # asking again answers with the refund already made
    order.check_refundable(VISIT + timedelta(days=5))  # even once its visit date is gone

    assert order.status is OrderStatus.REFUNDED
    assert order.pull_events() == []


# -- only a confirmed upgrade --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (quoted, "pending"),
        (paying, "processing"),
        (failed, "failed"),
        (cancelled, "cancelled"),
        (expired, "expired"),
    ],
)
def test_an_upgrade_that_was_never_paid_is_not_refundable(make: MakeOrder, status: str) -> None:
    order = make()

    with pytest.raises(RefundNotAllowedError) as caught:
        order.check_refundable(TODAY)

    assert caught.value.code == "not_refundable"
    assert isinstance(caught.value, BusinessRuleError)
    assert status in caught.value.message
    assert caught.value.guidance
    assert order.status.value == status
    assert order.pull_events() == []


@pytest.mark.parametrize(
    "make", [quoted, paying, failed, cancelled, expired], ids=lambda m: m.__name__
)
def test_an_upgrade_that_was_never_paid_cannot_be_moved_to_refunded(make: MakeOrder) -> None:
    order = make()
    status = order.status

    with pytest.raises(InvalidTransitionError) as caught:
        order.refund("re_123", REFUND_TIME)

    assert caught.value.code == "invalid_transition"
    assert order.status is status
    assert order.pull_events() == []


# -- the visit date ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "today", [TODAY, VISIT - timedelta(days=1)], ids=["long-before", "the-day-before"]
)
def test_a_confirmed_upgrade_is_refundable_until_the_day_before_its_visit(today: date) -> None:
    order = confirmed()

    order.check_refundable(today)

    assert order.status is OrderStatus.CONFIRMED
    assert order.pull_events() == []


@pytest.mark.parametrize(
    "today", [VISIT, VISIT + timedelta(days=1)], ids=["the-visit-day", "after-the-visit"]
)
def test_a_confirmed_upgrade_is_not_refundable_from_its_visit_date_on(today: date) -> None:
    order = confirmed()

    with pytest.raises(RefundNotAllowedError) as caught:
        order.check_refundable(today)

    assert caught.value.code == "visit_date_reached"
    assert VISIT.isoformat() in caught.value.message
    assert "day before" in caught.value.guidance
    assert order.status is OrderStatus.CONFIRMED
    assert order.pull_events() == []


def test_the_visit_date_rule_follows_the_upgrades_day_not_the_tickets_old_one() -> None:
    held = ticket(Tier.GENERAL, visit_date=VISIT, paid="59.00")
    later_day = VISIT + timedelta(days=3)
    order = UpgradeOrder.quote(
        ORDER_ID, held, upgrade_price(held, Tier.NON_STOP, later_day), NOW, HOLD
    )
    order.start_payment(SOON)
    order.confirm(RECEIPT, CODE, LATER)

    order.check_refundable(VISIT)  # the ticket's old date: the upgrade moved the visit on

    with pytest.raises(RefundNotAllowedError) as caught:
        order.check_refundable(later_day)
    assert caught.value.code == "visit_date_reached"


def test_a_refund_asked_for_in_time_and_made_after_the_visit_date_still_stands() -> None:
    # The rule is checked when the refund is asked for; the gateway may finish it later.
    order = confirmed()
    order.check_refundable(VISIT - timedelta(days=1))
    after_the_visit = NOW + timedelta(days=15)

    order.refund("re_late", after_the_visit)

    assert order.status is OrderStatus.REFUNDED
    assert [event.name for event in order.pull_events()] == ["refunded"]
