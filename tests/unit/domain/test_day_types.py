"""Day types: peak, weekend, off-peak, regular; the first matching rule wins."""

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidInputError, PriceTableError
from domain.pricing import DayType, DayTypeRules, SeasonWindow

RULES = DayTypeRules()


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 12, 20),  # first day of the winter window (a Sunday)
        date(2026, 12, 25),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 3),  # last day, inclusive
        date(2026, 7, 1),  # first day of the summer window (a Wednesday)
        date(2026, 8, 31),  # last day, inclusive (a Monday)
    ],
)
def test_days_in_a_peak_window_are_peak_including_both_ends(day: date) -> None:
    assert RULES.day_type(day) is DayType.PEAK


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 19), DayType.WEEKEND),  # the Saturday just before the winter window
        (date(2027, 1, 4), DayType.REGULAR),  # the Monday just after it
        (date(2027, 1, 5), DayType.OFF_PEAK),  # the Tuesday just after it
        (date(2026, 6, 30), DayType.REGULAR),  # the Tuesday before summer (June is not off-peak)
        (date(2026, 9, 1), DayType.OFF_PEAK),  # the Tuesday after summer
    ],
)
def test_the_days_just_outside_a_peak_window_are_not_peak(day: date, expected: DayType) -> None:
    assert RULES.day_type(day) is expected


def test_a_weekend_in_july_is_priced_as_peak() -> None:
    assert RULES.day_type(date(2026, 7, 11)) is DayType.PEAK  # a Saturday


def test_a_weekend_in_the_new_year_window_is_peak() -> None:
    assert RULES.day_type(date(2027, 1, 2)) is DayType.PEAK  # a Saturday


@pytest.mark.parametrize("day", [date(2026, 3, 14), date(2026, 3, 15), date(2026, 6, 6)])
def test_saturdays_and_sundays_outside_peak_are_weekend(day: date) -> None:
    assert RULES.day_type(day) is DayType.WEEKEND


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 3, 10),  # Tuesday, March
        date(2026, 3, 11),  # Wednesday, March
        date(2026, 2, 17),  # Tuesday, February
        date(2026, 10, 20),  # Tuesday, October
        date(2026, 11, 25),  # Wednesday, November
        date(2027, 1, 6),  # Wednesday, January
    ],
)
def test_tuesdays_and_wednesdays_in_the_quiet_months_are_off_peak(day: date) -> None:
    assert RULES.day_type(day) is DayType.OFF_PEAK


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 3, 9),  # Monday, March
        date(2026, 3, 12),  # Thursday, March
        date(2026, 4, 14),  # Tuesday, April
        date(2026, 5, 5),  # Tuesday, May
        date(2026, 6, 2),  # Tuesday, June
        date(2026, 12, 8),  # Tuesday, December before the window
    ],
)
def test_other_weekdays_and_tuesdays_of_busy_months_are_regular(day: date) -> None:
    assert RULES.day_type(day) is DayType.REGULAR


def test_each_day_type_has_its_default_multiplier() -> None:
    assert RULES.multipliers == {
        DayType.PEAK: Decimal("1.50"),
        DayType.WEEKEND: Decimal("1.25"),
        DayType.OFF_PEAK: Decimal("0.85"),
        DayType.REGULAR: Decimal("1.00"),
    }
    assert RULES.multiplier(date(2026, 7, 15)) == Decimal("1.50")
    assert RULES.multiplier(date(2026, 3, 12)) == Decimal("1.00")


def test_a_season_window_wraps_the_new_year() -> None:
    window = SeasonWindow((12, 20), (1, 3))
    assert window.contains(date(2026, 12, 20))
    assert window.contains(date(2027, 1, 3))
    assert not window.contains(date(2027, 1, 4))
    assert not window.contains(date(2026, 12, 19))
    assert not window.contains(date(2026, 6, 15))


def test_a_season_window_is_read_from_month_day_pairs() -> None:
    assert SeasonWindow.parse("12-20..01-03") == SeasonWindow((12, 20), (1, 3))
    assert SeasonWindow.parse("02-29..03-01").contains(date(2028, 2, 29))


@pytest.mark.parametrize("text", ["12-20", "13-01..01-03", "02-30..03-01", "summer"])
def test_a_season_that_is_not_two_days_of_the_year_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        SeasonWindow.parse(text)
    assert caught.value.code == "invalid_season"


def test_configured_peak_windows_replace_the_defaults() -> None:
    rules = DayTypeRules(peak_windows=(SeasonWindow((4, 1), (4, 15)),))
    assert rules.day_type(date(2026, 4, 7)) is DayType.PEAK  # a Tuesday in April
    assert rules.day_type(date(2026, 7, 15)) is DayType.REGULAR  # a Wednesday in July


def test_rules_without_a_multiplier_for_every_day_type_are_refused() -> None:
    with pytest.raises(PriceTableError) as caught:
        DayTypeRules(multipliers={DayType.PEAK: Decimal("1.50")})
    assert caught.value.code == "invalid_price_table"


def test_a_multiplier_must_be_positive() -> None:
    multipliers = dict(RULES.multipliers)
    multipliers[DayType.OFF_PEAK] = Decimal("0")
    with pytest.raises(PriceTableError):
        DayTypeRules(multipliers=multipliers)
