"""One upgrade option: priced, and refused for the first of tier, date window, closure, capacity."""

from datetime import date, timedelta

import pytest

from domain.calendar import BookingWindow
from domain.capacity import DailyCapacity
from domain.options import OptionReason, UpgradeOption, evaluate_option, refusal
from domain.tickets import Ticket
from domain.tiers import Tier
from tests.unit.domain.builders import TODAY, default_prices, ticket, usd

PRICES = default_prices()
BOOKABLE_DAY = date(2026, 3, 20)  # a Friday, ten days ahead: regular
CLOSED_DAY = date(2026, 3, 25)
WINDOW = BookingWindow(closures=frozenset({CLOSED_DAY}))
TOO_SOON = TODAY + timedelta(days=1)


def option(
    held: Ticket, tier: Tier, day: date, capacity: int = 40, sold: int = 0, held_units: int = 0
) -> UpgradeOption:
    usage = DailyCapacity(tier, day, capacity, sold, held_units)
    return evaluate_option(held, tier, day, TODAY, PRICES, WINDOW, usage)


def test_an_available_option_shows_price_amount_due_and_what_remains() -> None:
    result = option(ticket(Tier.GENERAL, paid="59.00"), Tier.NON_STOP, BOOKABLE_DAY, sold=10)
    assert result.available
    assert result.reason is None
    assert result.price == usd("109.00")
    assert result.amount_due == usd("50.00")
    assert result.remaining == 30


@pytest.mark.parametrize("tier", [Tier.STANDARD, Tier.NON_STOP])
def test_a_tier_that_is_not_above_the_ticket_is_refused_and_not_priced_as_due(tier: Tier) -> None:
    result = option(ticket(Tier.NON_STOP, paid="109.00"), tier, BOOKABLE_DAY)
    assert result.reason is OptionReason.TIER_NOT_HIGHER
    assert result.amount_due is None
    assert result.price == PRICES.price(tier, BOOKABLE_DAY)


@pytest.mark.parametrize("days", [0, 1, 121])
def test_a_date_outside_the_booking_window_is_out_of_window(days: int) -> None:
    result = option(ticket(), Tier.STANDARD, TODAY + timedelta(days=days))
    assert result.reason is OptionReason.DATE_OUT_OF_WINDOW
    assert result.amount_due is not None  # still priced, so the calendar can show it


def test_a_closure_date_is_closed() -> None:
    assert option(ticket(), Tier.STANDARD, CLOSED_DAY).reason is OptionReason.DATE_CLOSED


def test_a_tier_with_nothing_remaining_is_sold_out() -> None:
    result = option(ticket(), Tier.DOUBLE_FUN, BOOKABLE_DAY, capacity=40, sold=39, held_units=1)
    assert result.reason is OptionReason.SOLD_OUT
    assert result.remaining == 0


def test_tier_not_higher_comes_before_a_date_out_of_the_window() -> None:
    result = option(ticket(Tier.NON_STOP, paid="109.00"), Tier.STANDARD, TOO_SOON, capacity=0)
    assert result.reason is OptionReason.TIER_NOT_HIGHER


def test_a_date_out_of_the_window_comes_before_a_closure() -> None:
    window = BookingWindow(closures=frozenset({TOO_SOON}))
    usage = DailyCapacity(Tier.STANDARD, TOO_SOON, 0, 0, 0)
    result = evaluate_option(ticket(), Tier.STANDARD, TOO_SOON, TODAY, PRICES, window, usage)
    assert result.reason is OptionReason.DATE_OUT_OF_WINDOW


def test_a_closure_comes_before_sold_out() -> None:
    assert option(ticket(), Tier.STANDARD, CLOSED_DAY, capacity=0).reason is (
        OptionReason.DATE_CLOSED
    )


def test_the_reason_codes_are_the_documented_ones() -> None:
    assert {reason.value for reason in OptionReason} == {
        "tier_not_higher",
        "sold_out",
        "date_closed",
        "date_out_of_window",
    }


def test_refusing_a_tier_not_higher_names_the_tier() -> None:
    error = refusal(OptionReason.TIER_NOT_HIGHER, Tier.STANDARD, BOOKABLE_DAY, WINDOW)
    assert error.code == "tier_not_higher"
    assert error.message == "standard is not above the ticket's tier."


def test_refusing_a_sold_out_option_names_the_tier_and_the_date() -> None:
    error = refusal(OptionReason.SOLD_OUT, Tier.DOUBLE_FUN, BOOKABLE_DAY, WINDOW)
    assert error.code == "sold_out"
    assert error.message == "double-fun is sold out on 2026-03-20."


def test_refusing_a_closed_date_says_the_park_is_closed() -> None:
    error = refusal(OptionReason.DATE_CLOSED, Tier.STANDARD, CLOSED_DAY, WINDOW)
    assert error.code == "date_closed"
    assert error.message == "The park is closed on 2026-03-25."


def test_refusing_a_date_out_of_window_gives_the_notice_and_horizon() -> None:
    error = refusal(OptionReason.DATE_OUT_OF_WINDOW, Tier.STANDARD, TOO_SOON, WINDOW)
    assert error.code == "date_out_of_window"
    assert error.message == "2026-03-11 cannot be booked."
    assert error.guidance == "Upgrades can be booked from 2 days ahead up to 120 days ahead."
