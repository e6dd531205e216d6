"""The price calendar: list price x the day's multiplier, half-up, unless overridden."""

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import PriceTableError
from domain.money import Money
from domain.pricing import DayType, DayTypeRules, PriceTable
from domain.tiers import Tier
from tests.unit.domain.builders import default_prices, usd

PEAK_DAY = date(2026, 7, 15)  # a Wednesday in July
WEEKEND_DAY = date(2026, 3, 14)  # a Saturday in March
OFF_PEAK_DAY = date(2026, 3, 11)  # a Wednesday in March
REGULAR_DAY = date(2026, 3, 12)  # a Thursday in March


def list_prices(general: str, standard: str, non_stop: str, double_fun: str) -> dict[Tier, Money]:
    return {
        Tier.GENERAL: usd(general),
        Tier.STANDARD: usd(standard),
        Tier.NON_STOP: usd(non_stop),
        Tier.DOUBLE_FUN: usd(double_fun),
    }


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (REGULAR_DAY, ("59.00", "79.00", "109.00", "149.00")),
        (PEAK_DAY, ("88.50", "118.50", "163.50", "223.50")),
        (WEEKEND_DAY, ("73.75", "98.75", "136.25", "186.25")),
        (OFF_PEAK_DAY, ("50.15", "67.15", "92.65", "126.65")),
        (date(2026, 12, 26), ("88.50", "118.50", "163.50", "223.50")),  # a Saturday at Christmas
    ],
)
def test_default_prices_are_the_list_prices_times_the_day_multiplier(
    day: date, expected: tuple[str, str, str, str]
) -> None:
    prices = default_prices()
    assert tuple(str(prices.price(tier, day)) for tier in Tier) == expected


def test_the_table_names_the_day_type_of_a_date() -> None:
    prices = default_prices()
    assert prices.day_type(PEAK_DAY) is DayType.PEAK
    assert prices.day_type(OFF_PEAK_DAY) is DayType.OFF_PEAK


def test_a_price_is_rounded_half_up_to_the_cent() -> None:
    prices = PriceTable.load(list_prices("10.10", "20.00", "30.00", "40.00"))
    # 10.10 x 1.25 = 12.625: half-up gives 12.63 (half-even would give 12.62).
    assert prices.price(Tier.GENERAL, WEEKEND_DAY) == usd("12.63")


def test_the_table_has_the_currency_of_its_prices() -> None:
    assert default_prices().currency == "USD"


def test_prices_on_a_day_list_the_asked_tiers() -> None:
    on_peak = default_prices().prices_on(PEAK_DAY, [Tier.STANDARD, Tier.DOUBLE_FUN])
    assert on_peak == {Tier.STANDARD: usd("118.50"), Tier.DOUBLE_FUN: usd("223.50")}


def test_an_override_wins_over_the_calendar_on_its_date_only() -> None:
    prices = PriceTable.load(
        list_prices("59.00", "79.00", "109.00", "149.00"),
        overrides={(REGULAR_DAY, Tier.NON_STOP): usd("100.00")},
    )
    assert prices.price(Tier.NON_STOP, REGULAR_DAY) == usd("100.00")
    assert prices.price(Tier.NON_STOP, date(2026, 3, 13)) == usd("109.00")
    assert prices.price(Tier.STANDARD, REGULAR_DAY) == usd("79.00")


def test_an_override_is_taken_as_is_even_on_a_peak_day() -> None:
    prices = PriceTable.load(
        list_prices("59.00", "79.00", "109.00", "149.00"),
        overrides={(PEAK_DAY, Tier.DOUBLE_FUN): usd("199.99")},
    )
    assert prices.price(Tier.DOUBLE_FUN, PEAK_DAY) == usd("199.99")


@pytest.mark.parametrize(
    "prices",
    [
        ("59.00", "59.00", "109.00", "149.00"),  # two tiers at the same price
        ("59.00", "79.00", "69.00", "149.00"),  # non-stop cheaper than standard
        ("149.00", "109.00", "79.00", "59.00"),  # upside down
    ],
)
def test_a_table_whose_list_prices_do_not_climb_is_refused(prices: tuple[str, ...]) -> None:
    with pytest.raises(PriceTableError) as caught:
        PriceTable.load(list_prices(*prices))
    assert caught.value.code == "invalid_price_table"


def test_a_table_whose_ladder_collapses_under_a_multiplier_is_refused() -> None:
    # 10.00 and 10.04 differ, but x 0.10 both round to 1.00 on off-peak days.
    rules = DayTypeRules(
        multipliers={
            DayType.PEAK: Decimal("1.50"),
            DayType.WEEKEND: Decimal("1.25"),
            DayType.OFF_PEAK: Decimal("0.10"),
            DayType.REGULAR: Decimal("1.00"),
        }
    )
    with pytest.raises(PriceTableError) as caught:
        PriceTable.load(list_prices("10.00", "10.04", "20.00", "30.00"), rules)
    assert caught.value.code == "invalid_price_table"
    assert "off-peak" in caught.value.message


@pytest.mark.parametrize(
    ("tier", "price"),
    [
        (Tier.STANDARD, "59.00"),  # equal to general admission that day
        (Tier.GENERAL, "80.00"),  # above standard that day
        (Tier.DOUBLE_FUN, "100.00"),  # below non-stop that day
    ],
)
def test_a_table_whose_override_breaks_the_ladder_on_a_date_is_refused(
    tier: Tier, price: str
) -> None:
    with pytest.raises(PriceTableError) as caught:
        PriceTable.load(
            list_prices("59.00", "79.00", "109.00", "149.00"),
            overrides={(REGULAR_DAY, tier): usd(price)},
        )
    assert caught.value.code == "invalid_price_table"
    assert REGULAR_DAY.isoformat() in caught.value.message


def test_a_table_without_a_price_for_every_tier_is_refused() -> None:
    incomplete = list_prices("59.00", "79.00", "109.00", "149.00")
    del incomplete[Tier.GENERAL]
    with pytest.raises(PriceTableError) as caught:
        PriceTable.load(incomplete)
    assert "general" in caught.value.message


def test_a_table_in_two_currencies_is_refused() -> None:
    with pytest.raises(PriceTableError):
        PriceTable.load(
            list_prices("59.00", "79.00", "109.00", "149.00"),
            overrides={(REGULAR_DAY, Tier.NON_STOP): Money.of("100.00", "EUR")},
        )
