"""Amount due = price(B, d) - min(P, price(A, d)): worth what was paid, never more than its tier."""

from datetime import date

import pytest

from domain.errors import BusinessRuleError
from domain.pricing import price_upgrade
from domain.tiers import UPGRADE_TIERS, Tier
from tests.unit.domain.builders import NOW, default_prices, ticket, usd

PEAK_DAY = date(2026, 7, 15)  # a Wednesday in July
WEEKEND_DAY = date(2026, 3, 14)  # a Saturday in March
OFF_PEAK_DAY = date(2026, 3, 11)  # a Wednesday in March
REGULAR_DAY = date(2026, 3, 12)  # a Thursday in March
PRICES = default_prices()


def test_upgrading_on_a_same_priced_day_costs_the_difference_of_the_tiers() -> None:
    upgrade = price_upgrade(PRICES, Tier.GENERAL, usd("59.00"), Tier.STANDARD, REGULAR_DAY)
    assert upgrade.price == usd("79.00")
    assert upgrade.credit == usd("59.00")
    assert upgrade.amount_due == usd("20.00")
    assert (upgrade.tier, upgrade.day) == (Tier.STANDARD, REGULAR_DAY)


def test_upgrading_to_the_top_tier_on_a_regular_day() -> None:
    upgrade = price_upgrade(PRICES, Tier.GENERAL, usd("59.00"), Tier.DOUBLE_FUN, REGULAR_DAY)
    assert upgrade.amount_due == usd("90.00")


def test_a_dearer_day_costs_the_difference_of_the_day_too() -> None:
    # 118.50 for standard on a peak day, less the 59.00 paid (general costs 88.50 that day).
    upgrade = price_upgrade(PRICES, Tier.GENERAL, usd("59.00"), Tier.STANDARD, PEAK_DAY)
    assert upgrade.credit == usd("59.00")
    assert upgrade.amount_due == usd("59.50")


def test_a_cheaper_day_refunds_nothing() -> None:
    # General costs 50.15 off-peak: the ticket is worth that, not the 59.00 paid.
    upgrade = price_upgrade(PRICES, Tier.GENERAL, usd("59.00"), Tier.STANDARD, OFF_PEAK_DAY)
    assert upgrade.credit == usd("50.15")
    assert upgrade.amount_due == usd("17.00")


def test_a_ticket_bought_for_a_weekend_is_worth_no_more_than_its_tier_on_a_weekday() -> None:
    upgrade = price_upgrade(PRICES, Tier.GENERAL, usd("73.75"), Tier.NON_STOP, REGULAR_DAY)
    assert upgrade.credit == usd("59.00")
    assert upgrade.amount_due == usd("50.00")


def test_a_ticket_bought_at_a_discount_is_credited_what_was_paid() -> None:
    upgrade = price_upgrade(PRICES, Tier.STANDARD, usd("60.00"), Tier.NON_STOP, WEEKEND_DAY)
    assert upgrade.credit == usd("60.00")
    assert upgrade.amount_due == usd("76.25")  # 136.25 - 60.00


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Tier.STANDARD, Tier.STANDARD),
        (Tier.NON_STOP, Tier.STANDARD),
        (Tier.DOUBLE_FUN, Tier.GENERAL),
        (Tier.STANDARD, Tier.GENERAL),
    ],
)
def test_an_upgrade_that_does_not_go_up_the_ladder_is_refused(current: Tier, target: Tier) -> None:
    with pytest.raises(BusinessRuleError) as caught:
        price_upgrade(PRICES, current, usd("79.00"), target, REGULAR_DAY)
    assert caught.value.code == "tier_not_higher"


@pytest.mark.parametrize("day", [PEAK_DAY, WEEKEND_DAY, OFF_PEAK_DAY, REGULAR_DAY])
@pytest.mark.parametrize("paid", ["0.00", "59.00", "1000.00"])
def test_the_amount_due_is_always_above_zero(day: date, paid: str) -> None:
    for current in Tier:
        for target in UPGRADE_TIERS:
            if target.is_above(current):
                upgrade = price_upgrade(PRICES, current, usd(paid), target, day)
                assert upgrade.amount_due.is_positive, (current, target)


@pytest.mark.parametrize(
    ("paid", "day"),
    [
        ("59.00", PEAK_DAY),  # paid less than general costs that day
        ("88.50", OFF_PEAK_DAY),  # paid more than general costs that day
        ("59.00", REGULAR_DAY),
    ],
)
def test_two_steps_up_cost_in_total_what_one_step_costs(paid: str, day: date) -> None:
    held = ticket(Tier.GENERAL, paid=paid)
    first = price_upgrade(PRICES, held.tier, held.price_paid, Tier.STANDARD, day)
    held.apply_upgrade(Tier.STANDARD, day, first.amount_due, NOW)
    second = price_upgrade(PRICES, held.tier, held.price_paid, Tier.DOUBLE_FUN, day)

    direct = price_upgrade(PRICES, Tier.GENERAL, usd(paid), Tier.DOUBLE_FUN, day)

    assert first.amount_due + second.amount_due == direct.amount_due


def test_two_steps_on_a_peak_day_worked_example() -> None:
    held = ticket(Tier.GENERAL, paid="59.00")
    first = price_upgrade(PRICES, held.tier, held.price_paid, Tier.STANDARD, PEAK_DAY)
    held.apply_upgrade(Tier.STANDARD, PEAK_DAY, first.amount_due, NOW)
    second = price_upgrade(PRICES, held.tier, held.price_paid, Tier.DOUBLE_FUN, PEAK_DAY)
    assert (first.amount_due, second.amount_due) == (usd("59.50"), usd("105.00"))
    assert held.price_paid == usd("118.50")
