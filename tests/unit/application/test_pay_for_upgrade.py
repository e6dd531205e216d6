"""PayForUpgrade: one charge, then one confirmation; declines, outages and refusals charge
nothing and leave the order where a customer can act on it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from adapters.clock import FixedClock
from adapters.ids import RandomIdGenerator
from application.errors import PaymentDeclinedError, PaymentUnavailableError
from application.outbox import EmailKind
from application.ports.payments import Charge, ChargeRequest
from application.results import OrderResult
from application.use_cases.pay_for_upgrade import PayForUpgradeCommand
from domain.cards import CardError
from domain.confirmation import ALPHABET, ConfirmationCode
from domain.errors import NotFoundError
from domain.ids import CustomerId, OrderId
from domain.orders import OrderNotPayableError, OrderStatus
from domain.tickets import Ticket
from domain.tiers import Tier
from tests.builders import CARDS, World, card
from tests.unit.application.conftest import CountingGateway, WorldFactory, usage

SATURDAY = date(2026, 3, 21)
DECLINES = ["card_declined", "insufficient_funds", "expired_card", "incorrect_cvc"]


def quoted(world: World) -> tuple[CustomerId, Ticket, OrderResult]:
    """Ana's general ticket (Friday 20 March, 59.00) quoted to Non-stop on Saturday (77.25)."""
    ana = world.customer("ana@example.com", "Ana", "Lima")
    ticket = world.ticket(ana, visit_in=10)
    return ana, ticket, world.quote(ana, ticket, Tier.NON_STOP, SATURDAY)


def order_now(world: World, customer: CustomerId, order_id: OrderId) -> OrderResult:
    return world.container.get_order()(customer, order_id)


def assert_ticket_unchanged(world: World, ticket: Ticket) -> None:
    stored = world.stored_ticket(ticket.id)
    assert (stored.tier, stored.visit_date, stored.price_paid) == (
        ticket.tier,
        ticket.visit_date,
        ticket.price_paid,
    )


# -- a good card -------------------------------------------------------------------------------


def test_a_good_card_confirms_the_order_with_a_confirmation_code(
    paying_world: World, gateway: CountingGateway
) -> None:
    world = paying_world
    ana, _, order = quoted(world)

    paid = world.pay(ana, order.id)

    assert paid.status is OrderStatus.CONFIRMED
    assert paid.order.confirmed_at == world.clock.now()
    code = paid.order.confirmation_code
    assert code is not None
    assert len(code.value) == 8
    assert set(code.value) <= set(ALPHABET)
    assert paid.order.payment is not None
    assert (paid.order.payment.brand, paid.order.payment.last4) == ("visa", "4242")
    [charge] = gateway.charges
    assert paid.order.payment.payment_id == charge.id
    assert charge.amount.amount == Decimal("77.25")
    assert order_now(world, ana, order.id).status is OrderStatus.CONFIRMED


def test_a_confirmed_upgrade_moves_the_ticket_to_the_new_tier_date_and_price(
    paying_world: World,
) -> None:
    world = paying_world
    ana, ticket, order = quoted(world)

    world.pay(ana, order.id)

    upgraded = world.stored_ticket(ticket.id)
    assert (upgraded.tier, upgraded.visit_date) == (Tier.NON_STOP, SATURDAY)
    assert upgraded.price_paid.amount == Decimal("59.00") + Decimal("77.25")


def test_the_charge_is_for_the_amount_due_under_the_orders_payment_key(
    paying_world: World, gateway: CountingGateway
) -> None:
    world = paying_world
    ana, _, order = quoted(world)

    world.pay(ana, order.id)

    [request] = gateway.requests
    assert request.amount == order.order.amount_due
    assert request.idempotency_key == f"upgrade-{order.id}-attempt-1"
    assert request.metadata["order_id"] == str(order.id)
    assert gateway.find_charge(request.idempotency_key) == gateway.charges[0]


def test_a_confirmed_upgrade_turns_its_hold_into_a_sale(paying_world: World) -> None:
    world = paying_world
    ana, _, order = quoted(world)
    assert usage(world, Tier.NON_STOP, SATURDAY) == (0, 1)

    world.pay(ana, order.id)
    world.clock.advance(timedelta(hours=2))

    assert usage(world, Tier.NON_STOP, SATURDAY) == (1, 0)


def test_a_confirmed_upgrade_writes_audit_entries_for_the_order_and_the_ticket(
    paying_world: World,
) -> None:
    world = paying_world
    ana, ticket, order = quoted(world)

    world.pay(ana, order.id)

    with world.container.unit_of_work() as uow:
        order_entries = uow.audit.for_entity("upgrade_order", str(order.id))
        [ticket_entry] = uow.audit.for_entity("ticket", str(ticket.id))
    assert [e.action for e in order_entries] == [
        "upgrade.quoted",
        "upgrade.payment_started",
        "upgrade.confirmed",
    ]
    confirmed = order_entries[-1]
    assert confirmed.before is not None
    assert confirmed.after is not None
    assert (confirmed.before["status"], confirmed.after["status"]) == ("processing", "confirmed")
    assert confirmed.after["confirmation_code"] is not None
    assert ticket_entry.action == "ticket.upgraded"
    assert ticket_entry.actor == str(ana)
    assert ticket_entry.before is not None
    assert ticket_entry.after is not None
    assert (ticket_entry.before["tier"], ticket_entry.after["tier"]) == ("general", "non-stop")
    assert ticket_entry.after["visit_date"] == SATURDAY.isoformat()
    assert ticket_entry.after["price_paid"] == "136.25"


def test_a_confirmed_upgrade_emails_the_code_and_the_details(paying_world: World) -> None:
    world = paying_world
    ana, ticket, order = quoted(world)

    paid = world.pay(ana, order.id)

    assert paid.email_status == "pending"
    [email] = world.sent_emails()
    code = paid.order.confirmation_code
    assert code is not None
    assert email.to == "ana@example.com"
    assert code.value in email.subject
    for fact in (code.value, ticket.number.value, "Non-stop", "USD 77.25", "March 21, 2026"):
        assert fact in email.text
        assert fact in email.html
    assert str(order.id) in email.text
    assert order_now(world, ana, order.id).email_status == "sent"


def test_any_other_luhn_valid_card_succeeds_too(paying_world: World) -> None:
    world = paying_world
    ana, _, order = quoted(world)

    paid = world.pay(ana, order.id, "5555555555554444")

    assert paid.status is OrderStatus.CONFIRMED
    assert paid.order.payment is not None
    assert (paid.order.payment.brand, paid.order.payment.last4) == ("mastercard", "4444")


# -- declines ----------------------------------------------------------------------------------


@pytest.mark.parametrize("decline", DECLINES)
def test_a_declined_card_leaves_the_order_payable_with_attempts_left(
    paying_world: World, gateway: CountingGateway, decline: str
) -> None:
    world = paying_world
    ana, ticket, order = quoted(world)

    with pytest.raises(PaymentDeclinedError) as raised:
        world.pay(ana, order.id, CARDS[decline])

    assert (raised.value.decline_code, raised.value.code) == (decline, decline)
    assert raised.value.attempts_left == 2
    assert raised.value.guidance
    now = order_now(world, ana, order.id)
    assert (now.status, now.attempts_left) == (OrderStatus.PENDING, 2)
    assert now.order.last_decline_code == decline
    assert gateway.charges == []
    assert_ticket_unchanged(world, ticket)
    assert usage(world, Tier.NON_STOP, SATURDAY) == (0, 1)
    assert world.sent_emails() == []


def test_after_a_decline_another_card_can_still_pay(
    paying_world: World, gateway: CountingGateway
) -> None:
    world = paying_world
    ana, ticket, order = quoted(world)
    with pytest.raises(PaymentDeclinedError):
        world.pay(ana, order.id, CARDS["insufficient_funds"])

    paid = world.pay(ana, order.id)

    assert paid.status is OrderStatus.CONFIRMED
    assert [c.idempotency_key for c in gateway.charges] == [f"upgrade-{order.id}-attempt-2"]
    assert world.stored_ticket(ticket.id).tier is Tier.NON_STOP


def test_the_third_decline_fails_the_order_and_emails_the_customer(
    paying_world: World, gateway: CountingGateway
) -> None:
    world = paying_world
    ana, ticket, order = quoted(world)

    left = []
    for decline in ("card_declined", "expired_card", "insufficient_funds"):
        with pytest.raises(PaymentDeclinedError) as raised:
            world.pay(ana, order.id, CARDS[decline])
        left.append(raised.value.attempts_left)

    assert left == [2, 1, 0]
    now = order_now(world, ana, order.id)
    assert (now.status, now.attempts_left) == (OrderStatus.FAILED, 0)
    assert usage(world, Tier.NON_STOP, SATURDAY) == (0, 0)
    assert_ticket_unchanged(world, ticket)
    assert gateway.charges == []
    [email] = world.sent_emails()
    assert email.to == "ana@example.com"
    assert "could not take payment" in email.subject
    assert "insufficient funds" in email.text
    with world.container.unit_of_work() as uow:
        [message] = uow.outbox.for_order(order.id)
    assert message.kind is EmailKind.PAYMENT_FAILED
    assert order_now(world, ana, order.id).email_status == "sent"


def test_a_failed_order_cannot_be_paid_and_is_never_charged(
    paying_world: World, gateway: CountingGateway
) -> None:
    world = paying_world
    ana, _, order = quoted(world)
    for _ in range(3):
        with pytest.raises(PaymentDeclinedError):
            world.pay(ana, order.id, CARDS["card_declined"])
    asked = len(gateway.requests)

    with pytest.raises(OrderNotPayableError) as raised:
        world.pay(ana, order.id)

    assert raised.value.code == "order_failed"
    assert len(gateway.requests) == asked
    assert gateway.charges == []


# -- an unavailable gateway --------------------------------------------------------------------


def test_a_processing_error_charges_nothing_and_leaves_the_order_payable(
    paying_world: World, gateway: CountingGateway
) -> None:
    world = paying_world
    ana, ticket, order = quoted(world)

    with pytest.raises(PaymentUnavailableError) as raised:
        world.pay(ana, order.id, CARDS["processing_error"])

    assert raised.value.code == "payment_unavailable"
    now = order_now(world, ana, order.id)
    assert now.status is OrderStatus.PENDING
    assert now.order.confirmation_code is None
    assert now.attempts_left == 3  # an outage is not a decline
    assert gateway.charges == []
    assert_ticket_unchanged(world, ticket)
    assert usage(world, Tier.NON_STOP, SATURDAY) == (0, 1)
    assert world.sent_emails() == []


def test_after_a_processing_error_the_order_can_be_paid(paying_world: World) -> None:
    world = paying_world
    ana, _, order = quoted(world)
    with pytest.raises(PaymentUnavailableError):
        world.pay(ana, order.id, CARDS["processing_error"])

    assert world.pay(ana, order.id).status is OrderStatus.CONFIRMED


# -- orders that cannot be paid ----------------------------------------------------------------


def test_paying_an_expired_quote_charges_nothing(
    paying_world: World, gateway: CountingGateway
) -> None:
    world = paying_world
    ana, ticket, order = quoted(world)
    world.clock.advance(timedelta(minutes=15))

    with pytest.raises(OrderNotPayableError) as raised:
        world.pay(ana, order.id)

    assert raised.value.code == "order_expired"
    assert gateway.requests == []
    assert gateway.find_charge(f"upgrade-{order.id}-attempt-1") is None
    assert order_now(world, ana, order.id).status is OrderStatus.EXPIRED
    assert_ticket_unchanged(world, ticket)


def test_paying_a_cancelled_quote_charges_nothing(
    paying_world: World, gateway: CountingGateway
) -> None:
    world = paying_world
    ana, ticket, order = quoted(world)
    world.container.cancel_upgrade()(ana, order.id)

    with pytest.raises(OrderNotPayableError) as raised:
        world.pay(ana, order.id)

    assert raised.value.code == "order_cancelled"
    assert gateway.requests == []
    assert order_now(world, ana, order.id).status is OrderStatus.CANCELLED
    assert_ticket_unchanged(world, ticket)


def test_paying_twice_charges_once(paying_world: World, gateway: CountingGateway) -> None:
    world = paying_world
    ana, ticket, order = quoted(world)
    first = world.pay(ana, order.id)

    with pytest.raises(OrderNotPayableError) as raised:
        world.pay(ana, order.id)

    assert raised.value.code == "order_already_paid"
    assert len(gateway.requests) == 1
    assert len(gateway.charges) == 1
    assert order_now(world, ana, order.id).order.confirmation_code == first.order.confirmation_code
    assert world.stored_ticket(ticket.id).price_paid.amount == Decimal("136.25")
    assert len(world.sent_emails()) == 1


def test_someone_elses_order_cannot_be_paid(paying_world: World, gateway: CountingGateway) -> None:
    world = paying_world
    _, _, order = quoted(world)
    ben = world.customer()

    with pytest.raises(NotFoundError) as raised:
        world.pay(ben, order.id)

    assert raised.value.code == "order_not_found"
    assert gateway.requests == []


@pytest.mark.parametrize(
    ("number", "exp_year", "cvc", "code"),
    [
        ("4242424242424241", 2030, "123", "incorrect_number"),
        ("4242 4242 4242 4243", 2030, "123", "incorrect_number"),
        ("4242424242424242", 2025, "123", "expired_card"),
        ("4242424242424242", 2030, "12", "invalid_cvc"),
    ],
)
def test_a_card_refused_before_any_charge_leaves_the_order_pending(
    paying_world: World,
    gateway: CountingGateway,
    number: str,
    exp_year: int,
    cvc: str,
    code: str,
) -> None:
    world = paying_world
    ana, ticket, order = quoted(world)

    with pytest.raises(CardError) as raised:
        world.container.pay_for_upgrade()(
            PayForUpgradeCommand(ana, order.id, card(number, exp_year, cvc))
        )

    assert raised.value.code == code
    assert gateway.requests == []
    now = order_now(world, ana, order.id)
    assert now.status is OrderStatus.PENDING
    assert now.order.attempts == 0
    assert now.attempts_left == 3
    assert_ticket_unchanged(world, ticket)
    assert world.pay(ana, order.id).status is OrderStatus.CONFIRMED


# -- a slow charge -----------------------------------------------------------------------------


class SlowGateway(CountingGateway):
    """A charge that takes longer than the quote has left: the clock moves while it runs."""

    def __init__(self, clock: FixedClock, takes: timedelta) -> None:
        super().__init__(clock)
        self.clock, self.takes = clock, takes

    def charge(self, request: ChargeRequest) -> Charge:
        self.clock.advance(self.takes)
        return super().charge(request)


def test_a_charge_outliving_the_quote_still_gets_its_unit(
    world_with: WorldFactory, clock: FixedClock
) -> None:
    world = world_with(
        capacity_overrides={f"{SATURDAY}:non-stop": 1},
        overrides={"payment_gateway": SlowGateway(clock, timedelta(minutes=20))},
    )
    ana, ticket, order = quoted(world)

    paid = world.pay(ana, order.id)

    assert paid.status is OrderStatus.CONFIRMED
    assert world.stored_ticket(ticket.id).tier is Tier.NON_STOP
    assert usage(world, Tier.NON_STOP, SATURDAY) == (1, 0)


def test_a_decline_arriving_after_the_quote_lapsed_offers_no_retry_on_it(
    world_with: WorldFactory, clock: FixedClock
) -> None:
    world = world_with(overrides={"payment_gateway": SlowGateway(clock, timedelta(minutes=20))})
    ana, _, order = quoted(world)

    with pytest.raises(PaymentDeclinedError) as raised:
        world.pay(ana, order.id, CARDS["card_declined"])

    assert raised.value.attempts_left == 0
    assert "expired" in raised.value.guidance
    assert order_now(world, ana, order.id).status is OrderStatus.EXPIRED


class CodesThatCollideOnce(RandomIdGenerator):
    """Draws the same confirmation code twice, then random ones: the second order's first
    code is already taken."""

    def __init__(self) -> None:
        self.draws = 0

    def new_confirmation_code(self) -> ConfirmationCode:
        self.draws += 1
        return ConfirmationCode("7K3M9QXZ") if self.draws <= 2 else super().new_confirmation_code()


def test_a_confirmation_code_already_taken_is_drawn_again(world_with: WorldFactory) -> None:
    ids = CodesThatCollideOnce()
    world = world_with(overrides={"ids": ids})
    ana, ben = world.customer(), world.customer()
    first = world.pay(ana, world.quote(ana, world.ticket(ana), Tier.STANDARD, SATURDAY).id)
    second = world.pay(ben, world.quote(ben, world.ticket(ben), Tier.STANDARD, SATURDAY).id)

    assert first.order.confirmation_code == ConfirmationCode("7K3M9QXZ")
    assert second.status is OrderStatus.CONFIRMED
    assert second.order.confirmation_code not in (None, first.order.confirmation_code)
    assert ids.draws == 3
    assert usage(world, Tier.STANDARD, SATURDAY) == (2, 0)
    assert len(world.sent_emails()) == 2
