"""Capacity: remaining = capacity - sold - held, never below zero; a hold needs a unit left."""

from datetime import date

import pytest

from domain.capacity import CapacityPolicy, DailyCapacity
from domain.errors import BusinessRuleError, InvalidInputError
from domain.tiers import Tier

DAY = date(2026, 3, 20)


def usage(capacity: int, sold: int = 0, held: int = 0) -> DailyCapacity:
    return DailyCapacity(Tier.DOUBLE_FUN, DAY, capacity, sold, held)


def test_the_default_daily_capacities_are_300_120_and_40() -> None:
    policy = CapacityPolicy()
    assert policy.capacity(Tier.STANDARD, DAY) == 300
    assert policy.capacity(Tier.NON_STOP, DAY) == 120
    assert policy.capacity(Tier.DOUBLE_FUN, DAY) == 40


def test_general_admission_has_no_upgrade_capacity() -> None:
    assert CapacityPolicy().capacity(Tier.GENERAL, DAY) == 0


def test_a_per_date_override_changes_that_date_and_tier_only() -> None:
    policy = CapacityPolicy(overrides={(DAY, Tier.DOUBLE_FUN): 5})
    assert policy.capacity(Tier.DOUBLE_FUN, DAY) == 5
    assert policy.capacity(Tier.DOUBLE_FUN, date(2026, 3, 21)) == 40
    assert policy.capacity(Tier.NON_STOP, DAY) == 120


def test_an_override_of_zero_closes_the_tier_for_that_date() -> None:
    policy = CapacityPolicy(overrides={(DAY, Tier.STANDARD): 0})
    assert policy.capacity(Tier.STANDARD, DAY) == 0


def test_a_negative_capacity_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        CapacityPolicy(daily={Tier.STANDARD: -1})
    assert caught.value.code == "invalid_capacity"
    with pytest.raises(InvalidInputError):
        CapacityPolicy(overrides={(DAY, Tier.STANDARD): -1})


def test_remaining_is_capacity_less_sales_and_holds() -> None:
    assert usage(40, sold=10, held=5).remaining == 25


def test_remaining_never_goes_below_zero() -> None:
    over = usage(5, sold=4, held=3)  # e.g. capacity lowered after the sales
    assert over.remaining == 0
    assert over.is_sold_out


def test_a_hold_takes_one_unit() -> None:
    day = usage(3, sold=1)
    day.hold_one()
    assert (day.held, day.remaining) == (1, 1)


def test_the_last_unit_can_be_held_and_then_it_is_sold_out() -> None:
    day = usage(2, sold=1)
    day.hold_one()
    assert day.is_sold_out


def test_holding_when_sold_out_is_refused_and_changes_nothing() -> None:
    day = usage(2, sold=1, held=1)
    with pytest.raises(BusinessRuleError) as caught:
        day.hold_one()
    assert caught.value.code == "sold_out"
    assert (day.sold, day.held) == (1, 1)


def test_a_tier_with_no_capacity_cannot_be_held() -> None:
    with pytest.raises(BusinessRuleError) as caught:
        usage(0).hold_one()
    assert caught.value.code == "sold_out"


def test_selling_a_held_unit_turns_the_hold_into_a_sale() -> None:
    day = usage(10, sold=2, held=3)
    day.sell_held_unit()
    assert (day.sold, day.held, day.remaining) == (3, 2, 5)


def test_releasing_a_sale_gives_its_unit_back() -> None:
    day = usage(10, sold=10)
    day.release_sale()
    assert (day.sold, day.remaining) == (9, 1)


def test_releasing_when_nothing_was_sold_is_refused() -> None:
    day = usage(10, held=2)
    with pytest.raises(BusinessRuleError) as caught:
        day.release_sale()
    assert caught.value.code == "nothing_to_release"
    assert day.sold == 0
