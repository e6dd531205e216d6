"""Property 9: choosing an available option quotes it, holds capacity, and pays through."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from application.use_cases.get_upgrade_options import GetUpgradeOptionsCommand
from domain.ids import CustomerId
from domain.orders import OrderStatus
from domain.tickets import Ticket
from domain.tiers import Tier
from entrypoints.http.schemas import order_out
from tests.builders import World
from tests.property.support import UPGRADE_KEYS, fresh_world, instants, prices_paid

CONFIRMATION_CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{8}")
HOLD = timedelta(minutes=15)


def remaining_by_option(
    world: World, viewer: CustomerId, ticket: Ticket, start: date, days: int
) -> dict[tuple[Tier, date], int]:
    result = world.container.get_upgrade_options()(
        GetUpgradeOptionsCommand(viewer, ticket.number.value, start, days)
    )
    return {
        (tier, calendar_day.day): option.remaining
        for calendar_day in result.calendar
        for tier, option in calendar_day.options.items()
    }


@given(
    now=instants,
    tier=st.sampled_from(["general", "standard", "non-stop"]),
    paid=prices_paid,
    visit_in=st.integers(min_value=0, max_value=120),
    start_offset=st.integers(min_value=0, max_value=118),
    days=st.integers(min_value=1, max_value=5),
    scarce=st.lists(
        st.tuples(
            st.sampled_from(UPGRADE_KEYS),
            st.integers(min_value=0, max_value=4),
            st.integers(min_value=0, max_value=2),
        ),
        max_size=3,
    ),
    data=st.data(),
)
def test_choosing_an_available_option_quotes_it_holds_one_unit_and_pays_through(
    now: datetime,
    tier: str,
    paid: Decimal,
    visit_in: int,
    start_offset: int,
    days: int,
    scarce: list[tuple[str, int, int]],
    data: st.DataObject,
) -> None:
    """Feature: ticket-auto-process, Property 9: For any valid upgrade tier selection, the system should process the selection and proceed to payment workflow

    For any available option chosen from the calendar: the quote is a pending order with the
    shown price and amount due, held for 15 minutes, leaving the ticket as it was; remaining
    drops by exactly 1 for that (tier, date) and nowhere else; paying with 4242 confirms it with
    a well-formed code, moves the ticket to the tier and date and adds the amount paid."""  # noqa: E501
    world = fresh_world(now)
    start = world.day(start_offset)
    overrides = {
        f"{(start + timedelta(days=offset % days)).isoformat()}:{key}": capacity
        for key, offset, capacity in scarce
    }
    if overrides:  # small capacities, some zero: not every option is available
        world = fresh_world(now, capacity_overrides=overrides)
    ana, bob = world.customer(), world.customer()
    ticket = world.ticket(ana, Tier(tier), visit_in=visit_in, price_paid=str(paid))
    observer = world.ticket(bob, Tier.GENERAL, visit_in=visit_in)

    shown = world.container.get_upgrade_options()(
        GetUpgradeOptionsCommand(ana, ticket.number.value, start, days)
    )
    available = [
        option
        for calendar_day in shown.calendar
        for option in calendar_day.options.values()
        if option.available
    ]
    assume(available)
    choice = data.draw(st.sampled_from(available), label="choice")
    before = remaining_by_option(world, bob, observer, start, days)

    quoted = world.quote(ana, ticket, choice.tier, choice.day)

    order = quoted.order
    assert quoted.status is OrderStatus.PENDING
    assert (order.tier, order.day) == (choice.tier, choice.day)
    assert order.price == choice.price
    assert order.amount_due == choice.amount_due
    assert order.expires_at == world.clock.now() + HOLD
    wire = order_out(quoted)
    assert (wire.status, wire.price, wire.amount_due) == (
        "pending",
        str(choice.price),
        str(choice.amount_due),
    )
    unchanged = world.stored_ticket(ticket.id)
    assert (unchanged.tier, unchanged.visit_date, unchanged.price_paid) == (
        ticket.tier,
        ticket.visit_date,
        ticket.price_paid,
    )
    after_quote = remaining_by_option(world, bob, observer, start, days)
    chosen = (choice.tier, choice.day)
    assert after_quote[chosen] == before[chosen] - 1
    assert {k: v for k, v in after_quote.items() if k != chosen} == {
        k: v for k, v in before.items() if k != chosen
    }

    paid_order = world.pay(ana, order.id)

    assert paid_order.status is OrderStatus.CONFIRMED
    code = paid_order.order.confirmation_code
    assert code is not None
    assert CONFIRMATION_CODE.fullmatch(code.value)
    assert paid_order.order.payment is not None
    assert paid_order.order.payment.last4 == "4242"
    moved = world.stored_ticket(ticket.id)
    assert (moved.tier, moved.visit_date) == (choice.tier, choice.day)
    assert moved.price_paid == ticket.price_paid + order.amount_due
    assert remaining_by_option(world, bob, observer, start, days) == after_quote
    verdict = world.container.check_eligibility()(ana, ticket.number.value)
    expected = "already_top_tier" if choice.tier is Tier.DOUBLE_FUN else None
    assert (verdict.code.value if verdict.code else None) == expected
