"""Bookable dates: today + 2 to today + 120, inclusive, minus the park's closures."""

from datetime import date, timedelta

import pytest

from domain.calendar import BookingWindow, DateStatus, days_from
from domain.errors import InvalidInputError
from tests.unit.domain.builders import TODAY

WINDOW = BookingWindow()


def in_days(days: int) -> date:
    return TODAY + timedelta(days=days)


@pytest.mark.parametrize("days", [-1, 0, 1])
def test_dates_with_less_than_48_hours_notice_are_out_of_the_window(days: int) -> None:
    assert WINDOW.status(in_days(days), TODAY) is DateStatus.OUT_OF_WINDOW


@pytest.mark.parametrize("days", [2, 3, 60, 119, 120])
def test_dates_from_two_to_120_days_ahead_are_bookable(days: int) -> None:
    assert WINDOW.status(in_days(days), TODAY) is DateStatus.BOOKABLE


@pytest.mark.parametrize("days", [121, 365])
def test_dates_past_the_horizon_are_out_of_the_window(days: int) -> None:
    assert WINDOW.status(in_days(days), TODAY) is DateStatus.OUT_OF_WINDOW


def test_the_window_names_its_first_and_last_bookable_dates() -> None:
    assert WINDOW.first_bookable(TODAY) == date(2026, 3, 12)
    assert WINDOW.last_bookable(TODAY) == date(2026, 7, 8)


def test_a_closure_inside_the_window_is_closed() -> None:
    window = BookingWindow(closures=frozenset({in_days(10)}))
    assert window.status(in_days(10), TODAY) is DateStatus.CLOSED
    assert window.is_closed(in_days(10))
    assert window.status(in_days(11), TODAY) is DateStatus.BOOKABLE


def test_a_closure_outside_the_window_is_reported_as_out_of_the_window() -> None:
    window = BookingWindow(closures=frozenset({in_days(1), in_days(200)}))
    assert window.status(in_days(1), TODAY) is DateStatus.OUT_OF_WINDOW
    assert window.status(in_days(200), TODAY) is DateStatus.OUT_OF_WINDOW


def test_the_status_values_are_the_option_reason_codes() -> None:
    assert DateStatus.OUT_OF_WINDOW.value == "date_out_of_window"
    assert DateStatus.CLOSED.value == "date_closed"


def test_a_configured_notice_and_horizon_move_the_window() -> None:
    window = BookingWindow(min_notice_days=0, horizon_days=7)
    assert window.status(TODAY, TODAY) is DateStatus.BOOKABLE
    assert window.status(in_days(7), TODAY) is DateStatus.BOOKABLE
    assert window.status(in_days(8), TODAY) is DateStatus.OUT_OF_WINDOW


@pytest.mark.parametrize(("notice", "horizon"), [(-1, 120), (10, 5)])
def test_a_window_whose_notice_is_negative_or_past_the_horizon_is_refused(
    notice: int, horizon: int
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        BookingWindow(min_notice_days=notice, horizon_days=horizon)
    assert caught.value.code == "invalid_booking_window"


def test_days_from_gives_consecutive_dates_across_a_month_end() -> None:
    assert list(days_from(date(2026, 2, 27), 3)) == [
        date(2026, 2, 27),
        date(2026, 2, 28),
        date(2026, 3, 1),
    ]
