"""RecordPayment: an order is confirmed by a charge only when the gateway vouches for it as the
order's own payment; a charge that does not exist, belongs elsewhere or was refunded confirms
nothing, and a late one is given back."""

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from application.errors import ServiceUnavailableError
from application.outbox import EmailKind
from application.ports.payments import RefundRequest
from application.results import OrderResult
from application.settlement import ChargeNotApplicableError
from application.use_cases.record_payment import ChargeNotVerifiedError, RecordPaymentCommand
from domain.errors import NotFoundError
from domain.ids import CustomerId, OrderId
from domain.orders import OrderStatus
from domain.tickets import Ticket
from domain.tiers import Tier
from tests.builders import World
from tests.support.payments import ONE_TRY, charge_left_unconfirmed
from tests.unit.application.conftest import WorldFactory, usage

SATURDAY = date(2026, 3, 21)


@pytest.fixture
def world(world_with: WorldFactory) -> World:
    return world_with(**ONE_TRY)


def quoted(world: World, email: str = "ana@example.com") -> tuple[CustomerId, Ticket, OrderResult]:
    """A general ticket (Friday 20 March) quoted to Non-stop on Saturday 21 March (77.25)."""
    owner = world.customer(email)
    ticket = world.ticket(owner, visit_in=10)
    return owner, ticket, world.quote(owner, ticket, Tier.NON_STOP, SATURDAY)


def record(world: World, owner: CustomerId, order_id: UUID, charge_id: str) -> OrderResult:
    return world.container.record_payment()(
        RecordPaymentCommand(owner, OrderId(order_id), charge_id)
    )


def status(world: World, owner: CustomerId, order_id: UUID) -> OrderStatus:
    return world.container.get_order()(owner, OrderId(order_id)).status


def email_kinds(world: World, owner: CustomerId, order_id: UUID) -> list[str]:
    result = world.container.get_order()(owner, OrderId(order_id))
    return [email.kind for email in result.emails]


def test_the_charge_of_the_orders_current_payment_confirms_the_upgrade(world: World) -> None:
    ana, ticket, order = quoted(world)
    charge = charge_left_unconfirmed(world, ana, order.id)

    recorded = record(world, ana, order.id, charge.id)

    assert recorded.status is OrderStatus.CONFIRMED
    assert recorded.order.payment is not None
    assert recorded.order.payment.payment_id == charge.id
    assert recorded.order.confirmation_code is not None
    upgraded = world.stored_ticket(ticket.id)
    assert (upgraded.tier, upgraded.visit_date) == (Tier.NON_STOP, SATURDAY)
    assert upgraded.price_paid.amount == Decimal("59.00") + Decimal("77.25")
    assert usage(world, Tier.NON_STOP, SATURDAY) == (1, 0)
    assert email_kinds(world, ana, order.id) == [EmailKind.UPGRADE_CONFIRMED.value]


def test_recording_the_same_charge_again_confirms_once(world: World) -> None:
    ana, _, order = quoted(world)
    charge = charge_left_unconfirmed(world, ana, order.id)
    first = record(world, ana, order.id, charge.id)

    again = record(world, ana, order.id, charge.id)

    assert again.status is OrderStatus.CONFIRMED
    assert again.order.confirmation_code == first.order.confirmation_code
    assert usage(world, Tier.NON_STOP, SATURDAY) == (1, 0)
    assert email_kinds(world, ana, order.id) == [EmailKind.UPGRADE_CONFIRMED.value]


def test_a_charge_the_gateway_does_not_know_confirms_nothing(world: World) -> None:
    ana, ticket, order = quoted(world)
    charge_left_unconfirmed(world, ana, order.id)

    with pytest.raises(NotFoundError) as refused:
        record(world, ana, order.id, "ch_made_up_by_someone")

    assert refused.value.code == "charge_not_found"
    assert status(world, ana, order.id) is OrderStatus.PROCESSING
    assert world.stored_ticket(ticket.id).tier is Tier.GENERAL


def test_a_charge_made_for_another_customers_order_confirms_nothing(world: World) -> None:
    ana, ana_ticket, ana_order = quoted(world)
    bob, _, bob_order = quoted(world, "bob@example.com")
    charge_left_unconfirmed(world, ana, ana_order.id)
    bobs_charge = charge_left_unconfirmed(world, bob, bob_order.id)

    with pytest.raises(ChargeNotVerifiedError) as refused:
        record(world, ana, ana_order.id, bobs_charge.id)

    assert refused.value.code == "charge_not_for_order"
    assert status(world, ana, ana_order.id) is OrderStatus.PROCESSING
    assert status(world, bob, bob_order.id) is OrderStatus.PROCESSING
    assert world.stored_ticket(ana_ticket.id).tier is Tier.GENERAL


def test_another_customers_order_is_not_found_even_with_its_own_charge(world: World) -> None:
    quoted(world)
    bob, _, bob_order = quoted(world, "bob@example.com")
    bobs_charge = charge_left_unconfirmed(world, bob, bob_order.id)
    mallory = world.customer("mallory@example.com")

    with pytest.raises(NotFoundError) as refused:
        record(world, mallory, bob_order.id, bobs_charge.id)

    assert refused.value.code == "order_not_found"
    assert status(world, bob, bob_order.id) is OrderStatus.PROCESSING


def test_an_order_that_is_not_paying_is_not_confirmed_by_any_charge(world: World) -> None:
    ana, _, waiting = quoted(world)
    _, _, pending = quoted(world, "bob@example.com")
    owner_of_pending = pending.order.customer_id
    charge = charge_left_unconfirmed(world, ana, waiting.id)

    with pytest.raises(ChargeNotVerifiedError) as refused:
        record(world, owner_of_pending, pending.id, charge.id)

    assert refused.value.code == "charge_not_for_order"
    assert status(world, owner_of_pending, pending.id) is OrderStatus.PENDING


def test_a_refunded_charge_confirms_nothing(world: World) -> None:
    ana, ticket, order = quoted(world)
    charge = charge_left_unconfirmed(world, ana, order.id)
    world.container.gateway().refund(RefundRequest("refund-by-support", charge.id))

    with pytest.raises(ChargeNotVerifiedError) as refused:
        record(world, ana, order.id, charge.id)

    assert refused.value.code == "charge_refunded"
    assert status(world, ana, order.id) is OrderStatus.PROCESSING
    assert world.stored_ticket(ticket.id).tier is Tier.GENERAL


def test_a_charge_recorded_after_the_visit_date_is_given_back(world: World) -> None:
    ana, ticket, order = quoted(world)
    charge = charge_left_unconfirmed(world, ana, order.id)
    world.clock.advance(timedelta(days=12))  # Saturday 21 March has passed

    with pytest.raises(ChargeNotApplicableError) as refused:
        record(world, ana, order.id, charge.id)

    assert refused.value.code == "visit_date_passed"
    given_back = world.container.gateway().get_charge(charge.id)
    assert given_back is not None
    assert given_back.refunded == charge.amount
    assert world.stored_ticket(ticket.id).tier is Tier.GENERAL
    assert email_kinds(world, ana, order.id) == [EmailKind.PAYMENT_REFUNDED.value]


def test_with_the_gateway_down_nothing_is_recorded(world: World) -> None:
    ana, ticket, order = quoted(world)
    charge = charge_left_unconfirmed(world, ana, order.id)
    world.container.gateway_faults().outage = True

    with pytest.raises(ServiceUnavailableError) as refused:
        record(world, ana, order.id, charge.id)

    assert refused.value.code == "payment_unavailable"
    assert status(world, ana, order.id) is OrderStatus.PROCESSING
    assert world.stored_ticket(ticket.id).tier is Tier.GENERAL
