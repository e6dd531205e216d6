"""Paying an upgrade order: only a live pending quote is paid, declines, interruptions, confirm."""

from collections.abc import Callable
from datetime import timedelta

import pytest

from domain.errors import BusinessRuleError, InvalidTransitionError
from domain.events import PaymentDeclined, PaymentSucceeded, UpgradeConfirmed
from domain.orders import (
    OrderNotPayableError,
    OrderStatus,
    PaymentInProgressError,
    UpgradeOrder,
)
from tests.unit.domain.builders import (
    CODE,
    HOLD,
    LATER,
    NOW,
    ORDER_ID,
    RECEIPT,
    SOON,
    cancelled,
    confirmed,
    failed,
    paying,
    quoted,
)

MakeOrder = Callable[[], UpgradeOrder]

EXPIRY = NOW + HOLD


def refunded() -> UpgradeOrder:
    order = confirmed()
    order.status = OrderStatus.REFUNDED  # as a repository loads a refunded order
    return order


def names(order: UpgradeOrder) -> list[str]:
    return [event.name for event in order.pull_events()]


def test_paying_a_live_quote_starts_a_first_attempt() -> None:
    order = quoted()
    order.start_payment(SOON)
    assert order.status is OrderStatus.PROCESSING
    assert order.attempts == 1
    assert order.updated_at == SOON
    assert names(order) == ["payment_processing"]


def test_paying_a_lapsed_quote_is_refused_as_expired() -> None:
    order = quoted()
    with pytest.raises(OrderNotPayableError) as caught:
        order.start_payment(EXPIRY)
    assert caught.value.code == "order_expired"
    assert order.status is OrderStatus.EXPIRED
    assert order.attempts == 0
    assert names(order) == ["expired"]


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (cancelled, "order_cancelled"),
        (failed, "order_failed"),
        (confirmed, "order_already_paid"),
        (refunded, "order_refunded"),
    ],
)
def test_paying_a_closed_order_is_refused_and_starts_no_attempt(make: MakeOrder, code: str) -> None:
    order = make()
    status, attempts = order.status, order.attempts
    with pytest.raises(OrderNotPayableError) as caught:
        order.start_payment(LATER)
    assert caught.value.code == code
    assert isinstance(caught.value, BusinessRuleError)
    assert (order.status, order.attempts) == (status, attempts)
    assert order.pull_events() == []


def test_paying_an_order_whose_payment_is_in_flight_is_a_conflict() -> None:
    order = paying()
    with pytest.raises(PaymentInProgressError) as caught:
        order.start_payment(LATER)
    assert caught.value.code == "payment_in_progress"
    assert order.attempts == 1


def test_a_payment_in_flight_past_the_expiry_is_still_in_progress_not_expired() -> None:
    order = paying()
    with pytest.raises(PaymentInProgressError):
        order.start_payment(EXPIRY + timedelta(minutes=1))
    assert order.status is OrderStatus.PROCESSING


def test_a_decline_puts_the_quote_back_to_pending_with_the_decline_code() -> None:
    order = paying()
    order.record_decline("insufficient_funds", LATER, max_declines=3)
    assert order.status is OrderStatus.PENDING
    assert (order.declines, order.last_decline_code) == (1, "insufficient_funds")
    [event] = order.pull_events()
    assert isinstance(event, PaymentDeclined)
    assert event.name == "payment_declined"
    assert (event.decline_code, event.attempts_left) == ("insufficient_funds", 2)


def test_the_third_decline_fails_the_order() -> None:
    order = quoted()
    for expected in (OrderStatus.PENDING, OrderStatus.PENDING, OrderStatus.FAILED):
        order.start_payment(SOON)
        order.record_decline("card_declined", SOON, max_declines=3)
        assert order.status is expected
    assert (order.attempts, order.declines) == (3, 3)
    assert names(order)[-2:] == ["payment_declined", "failed"]
    assert not order.holds_capacity(SOON)


def test_the_number_of_allowed_declines_is_configurable() -> None:
    order = paying()
    order.record_decline("card_declined", LATER, max_declines=1)
    assert order.status is OrderStatus.FAILED


def test_an_interrupted_payment_makes_the_quote_payable_again() -> None:
    order = paying()
    order.record_interruption(LATER)
    assert order.status is OrderStatus.PENDING
    assert order.declines == 0
    assert names(order) == ["payment_unavailable"]
    order.start_payment(LATER)
    assert order.attempts == 2


def test_each_attempt_has_its_own_payment_key() -> None:
    order = quoted()
    order.start_payment(SOON)
    first = order.payment_key
    assert first == order.payment_key  # retries of one attempt reuse the key
    order.record_interruption(SOON)
    order.start_payment(LATER)
    assert order.payment_key != first
    assert str(ORDER_ID) in order.payment_key


def test_a_successful_charge_confirms_the_order_once() -> None:
    order = paying()
    order.confirm(RECEIPT, CODE, LATER)
    assert order.status is OrderStatus.CONFIRMED
    assert (order.payment, order.confirmation_code) == (RECEIPT, CODE)
    assert order.confirmed_at == LATER
    assert not order.holds_capacity(LATER)
    assert names(order) == ["payment_succeeded", "confirmed"]


def test_a_confirmed_event_carries_the_code_and_the_amount_paid() -> None:
    order = paying()
    order.confirm(RECEIPT, CODE, LATER)
    succeeded, confirmed_event = order.pull_events()
    assert isinstance(succeeded, PaymentSucceeded)
    assert isinstance(confirmed_event, UpgradeConfirmed)
    assert (succeeded.payment_id, succeeded.amount) == ("pay_123", order.amount_due)
    assert confirmed_event.confirmation_code == "7K3M9XQ2"


@pytest.mark.parametrize("make", [quoted, confirmed, failed, cancelled])
def test_only_a_payment_in_flight_can_be_confirmed(make: MakeOrder) -> None:
    order = make()
    status = order.status
    with pytest.raises(InvalidTransitionError) as caught:
        order.confirm(RECEIPT, CODE, LATER)
    assert caught.value.code == "invalid_transition"
    assert order.status is status


@pytest.mark.parametrize("make", [quoted, confirmed])
def test_only_a_payment_in_flight_can_be_declined_or_interrupted(make: MakeOrder) -> None:
    order = make()
    with pytest.raises(InvalidTransitionError):
        order.record_decline("card_declined", LATER, max_declines=3)
    with pytest.raises(InvalidTransitionError):
        order.record_interruption(LATER)
    assert order.declines == 0


def test_cancelling_a_live_quote_releases_it() -> None:
    order = quoted()
    order.cancel(SOON)
    assert order.status is OrderStatus.CANCELLED
    assert not order.holds_capacity(SOON)
    assert names(order) == ["cancelled"]


def test_cancelling_twice_is_harmless_and_records_nothing_more() -> None:
    order = cancelled()
    order.cancel(LATER)
    assert order.status is OrderStatus.CANCELLED
    assert order.pull_events() == []


def test_a_payment_in_flight_cannot_be_cancelled() -> None:
    order = paying()
    with pytest.raises(PaymentInProgressError) as caught:
        order.cancel(LATER)
    assert caught.value.code == "payment_in_progress"
    assert order.status is OrderStatus.PROCESSING


@pytest.mark.parametrize(
    ("make", "code"),
    [(failed, "order_failed"), (confirmed, "order_already_paid"), (refunded, "order_refunded")],
)
def test_a_closed_order_cannot_be_cancelled(make: MakeOrder, code: str) -> None:
    order = make()
    status = order.status
    with pytest.raises(BusinessRuleError) as caught:
        order.cancel(LATER)
    assert caught.value.code == code
    assert order.status is status


def test_cancelling_a_lapsed_quote_reports_it_expired() -> None:
    order = quoted()
    with pytest.raises(BusinessRuleError) as caught:
        order.cancel(EXPIRY)
    assert caught.value.code == "order_expired"
    assert order.status is OrderStatus.EXPIRED
