"""QuoteUpgrade: a pending order at a fixed price, holding one unit, or a clear refusal."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from application.use_cases.get_upgrade_options import GetUpgradeOptionsCommand
from application.use_cases.quote_upgrade import QuoteUpgradeCommand
from domain.errors import BusinessRuleError, InvalidInputError, NotFoundError
from domain.ids import CustomerId
from domain.orders import OrderStatus
from domain.tickets import TicketStatus
from domain.tiers import Tier
from tests.builders import World
from tests.unit.application.conftest import WorldFactory

DAY = date(2026, 3, 20)  # a Friday, regular prices, well inside the window


def remaining(world: World, tier: Tier, day: date) -> int:
    """What the calendar shows as left, seen by a fresh customer's ticket."""
    viewer = world.customer()
    ticket = world.ticket(viewer)
    result = world.container.get_upgrade_options()(
        GetUpgradeOptionsCommand(viewer, ticket.number.value, day, 1)
    )
    return result.calendar[0].options[tier].remaining


def quote(world: World, customer: CustomerId, ticket: str, tier: str, day: date) -> None:
    world.container.quote_upgrade()(QuoteUpgradeCommand(customer, ticket, tier, day))


def test_a_quote_is_a_pending_order_priced_and_held_for_15_minutes(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana, visit_in=10)  # general, paid 59.00

    result = world.quote(ana, ticket, Tier.NON_STOP, date(2026, 3, 21))  # a Saturday

    order = result.order
    assert result.status is OrderStatus.PENDING
    assert order.status is OrderStatus.PENDING
    assert (order.tier, order.day) == (Tier.NON_STOP, date(2026, 3, 21))
    assert order.price.amount == Decimal("136.25")
    assert order.amount_due.amount == Decimal("77.25")
    assert order.expires_at == world.clock.now() + timedelta(minutes=15)
    assert (order.ticket_id, order.customer_id) == (ticket.id, ana)
    assert (order.from_tier, order.from_date, order.from_price_paid) == (
        Tier.GENERAL,
        ticket.visit_date,
        ticket.price_paid,
    )
    assert result.email_status is None
    assert result.attempts_left == 3


def test_the_quoted_order_is_stored_as_it_was_returned(world: World) -> None:
    ana = world.customer()
    result = world.quote(ana, world.ticket(ana), Tier.STANDARD, DAY)

    stored = world.container.get_order()(ana, result.id)

    assert stored.status is OrderStatus.PENDING
    assert stored.order.amount_due == result.order.amount_due
    assert stored.order.expires_at == result.order.expires_at


def test_a_quote_leaves_the_ticket_as_it_was(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)

    world.quote(ana, ticket, Tier.DOUBLE_FUN, DAY)

    stored = world.stored_ticket(ticket.id)
    assert (stored.tier, stored.visit_date, stored.price_paid) == (
        ticket.tier,
        ticket.visit_date,
        ticket.price_paid,
    )


def test_a_quote_holds_exactly_one_unit_of_its_tier_and_date(world: World) -> None:
    ana = world.customer()
    before = remaining(world, Tier.NON_STOP, DAY)

    world.quote(ana, world.ticket(ana), Tier.NON_STOP, DAY)

    assert remaining(world, Tier.NON_STOP, DAY) == before - 1
    assert remaining(world, Tier.STANDARD, DAY) == 300
    assert remaining(world, Tier.NON_STOP, DAY + timedelta(days=1)) == 120


def test_a_quote_is_audited(world: World) -> None:
    ana = world.customer()
    result = world.quote(ana, world.ticket(ana), Tier.NON_STOP, DAY)

    with world.container.unit_of_work() as uow:
        entries = uow.audit.for_entity("upgrade_order", str(result.id))

    [entry] = entries
    assert (entry.action, entry.actor, entry.before) == ("upgrade.quoted", str(ana), None)
    assert entry.after is not None
    assert entry.after["status"] == "pending"
    assert entry.after["amount_due"] == str(result.order.amount_due)


def test_the_ticket_can_be_named_by_id_or_by_number_in_any_case(world: World) -> None:
    ana = world.customer()
    by_id, by_number = world.ticket(ana), world.ticket(ana)

    quote(world, ana, str(by_id.id), "standard", DAY)
    quote(world, ana, by_number.number.value.lower(), "NON_STOP", DAY)

    tiers = {r.order.ticket_id: r.order.tier for r in world.container.list_my_orders()(ana)}
    assert tiers == {by_id.id: Tier.STANDARD, by_number.id: Tier.NON_STOP}


@pytest.mark.parametrize(
    ("ticket_tier", "tier"),
    [(Tier.GENERAL, "general"), (Tier.NON_STOP, "non-stop"), (Tier.NON_STOP, "standard")],
)
def test_a_tier_not_above_the_ticket_is_refused_with_tier_not_higher(
    world: World, ticket_tier: Tier, tier: str
) -> None:
    ana = world.customer()
    ticket = world.ticket(ana, ticket_tier)

    with pytest.raises(BusinessRuleError) as raised:
        quote(world, ana, ticket.number.value, tier, DAY)

    assert raised.value.code == "tier_not_higher"
    assert world.container.list_my_orders()(ana) == []


def test_an_unknown_tier_is_invalid_input(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)

    with pytest.raises(InvalidInputError) as raised:
        quote(world, ana, ticket.number.value, "platinum", DAY)

    assert raised.value.code == "invalid_tier"


@pytest.mark.parametrize("days_ahead", [-1, 0, 1, 121, 400])
def test_a_date_outside_the_booking_window_is_refused(world: World, days_ahead: int) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)

    with pytest.raises(BusinessRuleError) as raised:
        world.quote(ana, ticket, Tier.STANDARD, world.day(days_ahead))

    assert raised.value.code == "date_out_of_window"
    assert world.container.list_my_orders()(ana) == []


@pytest.mark.parametrize("days_ahead", [2, 120])
def test_the_first_and_last_bookable_dates_can_be_quoted(world: World, days_ahead: int) -> None:
    ana = world.customer()

    result = world.quote(ana, world.ticket(ana), Tier.STANDARD, world.day(days_ahead))

    assert result.status is OrderStatus.PENDING


def test_a_closed_date_is_refused_with_date_closed(world_with: WorldFactory) -> None:
    world = world_with(closures=[DAY])
    ana = world.customer()
    ticket = world.ticket(ana)

    with pytest.raises(BusinessRuleError) as raised:
        world.quote(ana, ticket, Tier.STANDARD, DAY)

    assert raised.value.code == "date_closed"
    assert world.container.list_my_orders()(ana) == []
    next_day = world.quote(ana, ticket, Tier.STANDARD, DAY + timedelta(days=1))
    assert next_day.status is OrderStatus.PENDING


def test_the_last_unit_goes_to_the_first_quote_and_the_next_is_sold_out(
    world_with: WorldFactory,
) -> None:
    world = world_with(capacity_overrides={f"{DAY}:double-fun": 1})
    ana, ben = world.customer(), world.customer()
    world.quote(ana, world.ticket(ana), Tier.DOUBLE_FUN, DAY)

    with pytest.raises(BusinessRuleError) as raised:
        world.quote(ben, world.ticket(ben), Tier.DOUBLE_FUN, DAY)

    assert raised.value.code == "sold_out"
    assert world.container.list_my_orders()(ben) == []
    assert remaining(world, Tier.DOUBLE_FUN, DAY) == 0


def test_a_tier_with_no_capacity_at_all_is_sold_out(world_with: WorldFactory) -> None:
    world = world_with(capacity_overrides={f"{DAY}:standard": 0})
    ana = world.customer()

    with pytest.raises(BusinessRuleError) as raised:
        world.quote(ana, world.ticket(ana), Tier.STANDARD, DAY)

    assert raised.value.code == "sold_out"


def test_a_lapsed_hold_frees_its_unit_after_15_minutes(world_with: WorldFactory) -> None:
    world = world_with(capacity_overrides={f"{DAY}:double-fun": 1})
    ana, ben = world.customer(), world.customer()
    first = world.quote(ana, world.ticket(ana), Tier.DOUBLE_FUN, DAY)
    bens = world.ticket(ben)

    world.clock.advance(timedelta(minutes=14, seconds=59))
    with pytest.raises(BusinessRuleError, match="sold out"):
        world.quote(ben, bens, Tier.DOUBLE_FUN, DAY)
    world.clock.advance(timedelta(seconds=1))
    second = world.quote(ben, bens, Tier.DOUBLE_FUN, DAY)

    assert second.status is OrderStatus.PENDING
    assert world.container.get_order()(ana, first.id).status is OrderStatus.EXPIRED
    assert remaining(world, Tier.DOUBLE_FUN, DAY) == 0


def test_a_sale_keeps_its_unit_after_the_hold_time(world_with: WorldFactory) -> None:
    world = world_with(capacity_overrides={f"{DAY}:double-fun": 1})
    ana, ben = world.customer(), world.customer()
    world.pay(ana, world.quote(ana, world.ticket(ana), Tier.DOUBLE_FUN, DAY).id)

    world.clock.advance(timedelta(hours=1))
    with pytest.raises(BusinessRuleError) as raised:
        world.quote(ben, world.ticket(ben), Tier.DOUBLE_FUN, DAY)

    assert raised.value.code == "sold_out"


def test_a_second_quote_for_the_same_ticket_is_refused_while_the_first_is_live(
    world: World,
) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)
    first = world.quote(ana, ticket, Tier.STANDARD, DAY)

    with pytest.raises(BusinessRuleError) as raised:
        world.quote(ana, ticket, Tier.DOUBLE_FUN, DAY + timedelta(days=3))

    assert raised.value.code == "upgrade_in_progress"
    assert [r.id for r in world.container.list_my_orders()(ana)] == [first.id]
    assert remaining(world, Tier.DOUBLE_FUN, DAY + timedelta(days=3)) == 40


def test_a_ticket_can_be_quoted_again_once_its_quote_lapsed(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)
    world.quote(ana, ticket, Tier.STANDARD, DAY)

    world.clock.advance(timedelta(minutes=15))
    again = world.quote(ana, ticket, Tier.NON_STOP, DAY)

    assert again.status is OrderStatus.PENDING
    assert remaining(world, Tier.STANDARD, DAY) == 300


def test_a_ticket_can_be_quoted_again_once_its_quote_is_cancelled(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)
    first = world.quote(ana, ticket, Tier.STANDARD, DAY)
    world.container.cancel_upgrade()(ana, first.id)

    again = world.quote(ana, ticket, Tier.STANDARD, DAY)

    assert again.status is OrderStatus.PENDING


def test_an_upgraded_ticket_can_go_further_up_from_what_it_paid(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana, visit_in=10)
    world.pay(ana, world.quote(ana, ticket, Tier.STANDARD, DAY).id)

    further = world.quote(ana, ticket, Tier.DOUBLE_FUN, DAY)

    # Path independence: general -> standard -> double-fun costs what general -> double-fun does.
    assert further.order.from_tier is Tier.STANDARD
    assert further.order.amount_due.amount == Decimal("149.00") - Decimal("79.00")


def test_an_ineligible_ticket_cannot_be_quoted(world: World) -> None:
    ana = world.customer()
    used = world.ticket(ana, status=TicketStatus.USED)
    top = world.ticket(ana, Tier.DOUBLE_FUN)

    with pytest.raises(BusinessRuleError) as not_active:
        world.quote(ana, used, Tier.STANDARD, DAY)
    with pytest.raises(BusinessRuleError) as top_tier:
        world.quote(ana, top, Tier.DOUBLE_FUN, DAY)

    assert (not_active.value.code, top_tier.value.code) == ("ticket_not_active", "already_top_tier")


def test_someone_elses_ticket_cannot_be_quoted(world: World) -> None:
    ana, ben = world.customer(), world.customer()
    bens = world.ticket(ben)

    with pytest.raises(NotFoundError) as raised:
        world.quote(ana, bens, Tier.STANDARD, DAY)

    assert raised.value.code == "ticket_not_found"
    assert world.container.list_my_orders()(ben) == []


def test_the_booking_window_moves_at_midnight_in_the_park(world: World) -> None:
    ana = world.customer()
    first, second = world.ticket(ana), world.ticket(ana)
    twelfth = date(2026, 3, 12)

    world.clock.set(datetime(2026, 3, 11, 6, 59, tzinfo=UTC))  # still the 10th in LA
    world.quote(ana, first, Tier.STANDARD, twelfth)
    world.clock.set(datetime(2026, 3, 11, 7, 0, tzinfo=UTC))  # the 11th in LA
    with pytest.raises(BusinessRuleError) as raised:
        world.quote(ana, second, Tier.STANDARD, twelfth)

    assert raised.value.code == "date_out_of_window"
