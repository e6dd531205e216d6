"""Property 6 (upgrade calculation) and the money rules it rests on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from application.use_cases.get_upgrade_options import GetUpgradeOptionsCommand
from application.use_cases.quote_upgrade import QuoteUpgradeCommand
from domain.money import Money
from domain.pricing import DayTypeRules, PriceTable, price_upgrade
from domain.tiers import Tier
from tests.property.support import (
    LADDER,
    UPGRADE_KEYS,
    expected_amount_due,
    expected_price,
    fresh_world,
    half_up_cents,
    instants,
    list_price_ladders,
    price_settings,
    prices_paid,
    rank,
)

BELOW_TOP = ("general", "standard", "non-stop")


@given(
    now=instants,
    ladder=list_price_ladders(),
    current=st.sampled_from(BELOW_TOP),
    paid=prices_paid,
    visit_in=st.integers(min_value=0, max_value=120),
    date_offset=st.integers(min_value=2, max_value=118),
    days=st.integers(min_value=1, max_value=3),
    data=st.data(),
)
def test_each_option_costs_the_target_price_less_the_capped_credit(
    now: object,
    ladder: dict[str, Decimal],
    current: str,
    paid: Decimal,
    visit_in: int,
    date_offset: int,
    days: int,
    data: st.DataObject,
) -> None:
    """Feature: ticket-auto-process, Property 6: For any valid ticket, the Upgrade Engine should calculate available upgrade options with correct pricing information

    For any ticket below the top tier with any price paid (odd cents included), any list
    prices and any bookable date: each option's price is the list price times the day type's
    multiplier rounded half-up, and its amount due is price(target, d) minus
    min(paid, price(current, d)), always > 0; tiers not above the ticket have none. The quote
    charges exactly what the calendar showed."""  # noqa: E501
    world = fresh_world(now, **price_settings(ladder))  # type: ignore[arg-type]
    ana = world.customer()
    ticket = world.ticket(ana, Tier(current), visit_in=visit_in, price_paid=str(paid))
    start = world.day(date_offset)

    options = world.container.get_upgrade_options()(
        GetUpgradeOptionsCommand(ana, ticket.number.value, start, days)
    )

    for calendar_day in options.calendar:
        day = calendar_day.day
        for key in UPGRADE_KEYS:
            option = calendar_day.options[Tier(key)]
            assert option.price.amount == expected_price(key, day, ladder)
            assert option.price.currency == "USD"
            if rank(key) > rank(current):
                assert option.amount_due is not None
                due = expected_amount_due(current, paid, key, day, ladder)
                assert option.amount_due.amount == due
                assert option.amount_due.amount > 0
                assert option.available
            else:
                assert option.amount_due is None
                assert option.reason is not None
                assert option.reason.value == "tier_not_higher"

    target = data.draw(st.sampled_from([k for k in UPGRADE_KEYS if rank(k) > rank(current)]))
    day = data.draw(st.sampled_from([d.day for d in options.calendar]))
    order = world.container.quote_upgrade()(
        QuoteUpgradeCommand(ana, ticket.number.value, target, day)
    ).order
    assert order.price.amount == expected_price(target, day, ladder)
    assert order.amount_due.amount == expected_amount_due(current, paid, target, day, ladder)


# -- amount due > 0 and path independence ------------------------------------------------------


@st.composite
def price_tables(draw: st.DrawFn) -> tuple[PriceTable, dict[str, Decimal]]:
    """A valid table: random list prices and some operator overrides that keep every
    overridden date's ladder strictly increasing."""
    ladder = draw(list_price_ladders())
    overrides: dict[tuple[date, Tier], Money] = {}
    for day in draw(st.lists(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=3)):
        price = draw(st.decimals(min_value=Decimal("5.00"), max_value=Decimal("100.00"), places=2))
        for key in LADDER:
            overrides[(day, Tier(key))] = Money(price, "USD")
            price += draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50"), places=2))
    table = PriceTable.load(
        {Tier(key): Money(value, "USD") for key, value in ladder.items()},
        DayTypeRules(),
        overrides,
    )
    return table, ladder


@given(
    table=price_tables(),
    tiers=st.lists(st.sampled_from(LADDER), min_size=2, max_size=2, unique=True),
    paid=st.decimals(min_value=Decimal("0.00"), max_value=Decimal("10000.00"), places=2),
    day=st.dates(date(2025, 1, 1), date(2028, 12, 31)),
)
def test_the_amount_due_is_always_positive_on_any_valid_price_table(
    table: tuple[PriceTable, dict[str, Decimal]], tiers: list[str], paid: Decimal, day: date
) -> None:
    """Feature: ticket-auto-process, Property 6: For any valid ticket, the Upgrade Engine should calculate available upgrade options with correct pricing information

    Amount due > 0 for any upgrade up the ladder, any price paid (nothing to far more than
    the tier costs), any date, overridden or not, on any table the park accepts."""  # noqa: E501
    prices, _ = table
    current, target = sorted((Tier(key) for key in tiers), key=lambda tier: tier.rank)
    upgrade = price_upgrade(prices, current, Money(paid, "USD"), target, day)
    assert upgrade.amount_due.amount > 0
    assert upgrade.credit == min(Money(paid, "USD"), prices.price(current, day))
    assert upgrade.amount_due == prices.price(target, day) - upgrade.credit


@given(
    now=instants,
    ladder=list_price_ladders(),
    path=st.lists(st.sampled_from(LADDER), min_size=3, max_size=3, unique=True).map(
        lambda keys: sorted(keys, key=rank)
    ),
    paid=prices_paid,
    visit_in=st.integers(min_value=0, max_value=120),
    date_offset=st.integers(min_value=2, max_value=120),
)
def test_upgrading_in_two_steps_costs_what_one_step_costs(
    now: object,
    ladder: dict[str, Decimal],
    path: list[str],
    paid: Decimal,
    visit_in: int,
    date_offset: int,
) -> None:
    """Feature: ticket-auto-process, Property 6: For any valid ticket, the Upgrade Engine should calculate available upgrade options with correct pricing information

    Path independence on a date (DOMAIN.md, "Prices"): A->B then B->C on d costs in total what
    A->C on d costs, because each paid upgrade adds what was paid to the ticket's price paid."""  # noqa: E501
    low, middle, high = (Tier(key) for key in path)
    world = fresh_world(now, **price_settings(ladder))  # type: ignore[arg-type]
    ana = world.customer()
    stepwise = world.ticket(ana, low, visit_in=visit_in, price_paid=str(paid))
    direct = world.ticket(ana, low, visit_in=visit_in, price_paid=str(paid))
    day = world.day(date_offset)

    first = world.quote(ana, stepwise, middle, day)
    world.pay(ana, first.id)
    after_first = world.stored_ticket(stepwise.id)
    assert after_first.price_paid == stepwise.price_paid + first.order.amount_due
    second = world.quote(ana, after_first, high, day)
    world.pay(ana, second.id)
    one_step = world.quote(ana, direct, high, day)

    total = first.order.amount_due + second.order.amount_due
    assert total == one_step.order.amount_due
    assert one_step.order.amount_due.amount == expected_amount_due(
        low.key, paid, high.key, day, ladder
    )
    assert first.order.amount_due.amount > 0
    assert second.order.amount_due.amount > 0
    final = world.stored_ticket(stepwise.id)
    assert (final.tier, final.visit_date) == (high, day)
    assert final.price_paid == Money(paid, "USD") + total


# -- money -----------------------------------------------------------------------------------

amounts = st.decimals(
    min_value=Decimal("-100000"), max_value=Decimal("100000"), places=6, allow_nan=False
)


@given(amount=amounts)
def test_money_rounds_half_up_to_the_cent(amount: Decimal) -> None:
    """Money rounding (DOMAIN.md, "Prices"; supports Property 6): an amount is rounded
    half-up (ties away from zero) to the currency's minor unit, exactly, never through a
    float; the wire form has exactly two places and minor units are whole."""
    money = Money(amount, "USD")
    assert money.amount == half_up_cents(amount)
    assert str(money) == f"{half_up_cents(amount):.2f}"
    assert money.to_minor_units() == int(half_up_cents(amount) * 100)
    assert Money.from_minor_units(money.to_minor_units(), "USD") == money
    assert Money.of(str(amount), "USD") == money


@given(cents=st.integers(min_value=0, max_value=10**7))
def test_ties_always_round_up(cents: int) -> None:
    """Money rounding: every exact half cent goes up (where binary floats would round
    1.005 down to 1.00), and multiplying by a day-type factor rounds the same way."""
    tie = Decimal(cents) / 100 + Decimal("0.005")
    assert Money(tie, "USD").amount == Decimal(cents + 1) / 100
    assert Money(Decimal(cents) / 100, "USD").times(Decimal("0.85")).amount == half_up_cents(
        Decimal(cents) / 100 * Decimal("0.85")
    )


@given(value=st.floats(allow_nan=False, allow_infinity=False))
def test_money_is_never_built_from_a_float(value: float) -> None:
    """Money never accepts a float: neither directly nor through `Money.of`."""
    with pytest.raises(TypeError):
        Money(value, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of(value, "USD")  # type: ignore[arg-type]


@given(
    amount=st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=4),
    currency=st.sampled_from(["JPY", "KWD", "EUR"]),
)
def test_money_rounds_to_each_currency_minor_unit(amount: Decimal, currency: str) -> None:
    """Money rounding: half-up to the currency's own minor unit (0 for JPY, 3 for KWD)."""
    places = {"JPY": 0, "KWD": 3, "EUR": 2}[currency]
    scaled = amount * 10**places
    whole = int(scaled) + (1 if scaled - int(scaled) >= Decimal("0.5") else 0)
    assert Money(amount, currency).amount == Decimal(whole) / 10**places
    assert Money(amount, currency).to_minor_units() == whole
    assume(places > 0)
    assert len(str(Money(amount, currency)).split(".")[1]) == places
