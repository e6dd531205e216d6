"""An upgrade order starts as a quote: a snapshot and a hold that lapses lazily."""

from datetime import date, timedelta

from domain.events import UpgradeExpired, UpgradeQuoted
from domain.orders import OrderStatus, UpgradeOrder
from domain.tiers import Tier
from tests.unit.domain.builders import CUSTOMER, HOLD, NOW, ORDER_ID, ticket, upgrade_price, usd

EXPIRY = NOW + HOLD


def quoted() -> UpgradeOrder:
    held = ticket(Tier.GENERAL, visit_date=date(2026, 3, 20), paid="59.00")
    return UpgradeOrder.quote(ORDER_ID, held, upgrade_price(held, Tier.NON_STOP), NOW, HOLD)


def test_a_quote_snapshots_the_ticket_as_it_was() -> None:
    order = quoted()
    assert order.ticket_number.value == "TKT-00012345"
    assert order.customer_id == CUSTOMER
    assert (order.from_tier, order.from_date, order.from_price_paid) == (
        Tier.GENERAL,
        date(2026, 3, 20),
        usd("59.00"),
    )


def test_a_quote_snapshots_the_tier_date_price_and_amount_due() -> None:
    order = quoted()
    assert (order.tier, order.day) == (Tier.NON_STOP, date(2026, 3, 20))
    assert order.price == usd("109.00")
    assert order.amount_due == usd("50.00")


def test_a_quote_is_pending_and_holds_until_now_plus_the_hold() -> None:
    order = quoted()
    assert order.status is OrderStatus.PENDING
    assert order.expires_at == NOW + timedelta(minutes=15)
    assert order.created_at == order.updated_at == NOW
    assert (order.attempts, order.declines) == (0, 0)


def test_a_quote_records_a_quoted_event_with_its_expiry() -> None:
    [event] = quoted().pull_events()
    assert isinstance(event, UpgradeQuoted)
    assert event.name == "quoted"
    assert (event.order_id, event.tier, event.amount_due) == (ORDER_ID, Tier.NON_STOP, usd("50.00"))
    assert event.expires_at == EXPIRY


def test_pulling_events_empties_them() -> None:
    order = quoted()
    assert len(order.pull_events()) == 1
    assert order.pull_events() == []


def test_a_quote_is_pending_until_the_last_instant_before_its_expiry() -> None:
    order = quoted()
    assert order.status_at(EXPIRY - timedelta(microseconds=1)) is OrderStatus.PENDING
    assert order.holds_capacity(EXPIRY - timedelta(microseconds=1))


def test_a_quote_is_expired_from_its_expiry_on_without_being_saved() -> None:
    order = quoted()
    assert order.status_at(EXPIRY) is OrderStatus.EXPIRED
    assert order.status_at(EXPIRY + timedelta(days=1)) is OrderStatus.EXPIRED
    assert order.status is OrderStatus.PENDING  # lazy: nothing was written


def test_an_expired_hold_stops_counting_against_capacity() -> None:
    assert not quoted().holds_capacity(EXPIRY)


def test_a_payment_in_flight_holds_capacity_even_past_the_quotes_expiry() -> None:
    order = quoted()
    order.start_payment(EXPIRY - timedelta(seconds=1))
    assert order.status_at(EXPIRY + timedelta(minutes=5)) is OrderStatus.PROCESSING
    assert order.holds_capacity(EXPIRY + timedelta(minutes=5))


def test_expiring_a_lapsed_quote_records_it_once() -> None:
    order = quoted()
    order.pull_events()
    assert order.expire_if_lapsed(EXPIRY)
    assert order.status is OrderStatus.EXPIRED
    assert order.updated_at == EXPIRY
    assert not order.expire_if_lapsed(EXPIRY + timedelta(minutes=1))
    [event] = order.pull_events()
    assert isinstance(event, UpgradeExpired)
    assert event.name == "expired"


def test_a_live_quote_is_not_expired() -> None:
    order = quoted()
    assert not order.expire_if_lapsed(NOW + timedelta(minutes=14))
    assert order.status is OrderStatus.PENDING


def test_orders_are_the_same_order_when_their_ids_match() -> None:
    one, other = quoted(), quoted()
    other.status = OrderStatus.CANCELLED
    assert one == other
    assert hash(one) == hash(other)
