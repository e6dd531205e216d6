"""Which dates can be booked: from 48 hours' notice to the horizon, minus the park's closures."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

from domain.errors import InvalidInputError


class DateStatus(Enum):
    """Why a date can or cannot be booked, before any tier or capacity is considered."""

    BOOKABLE = "bookable"
    OUT_OF_WINDOW = "date_out_of_window"
    CLOSED = "date_closed"


@dataclass(frozen=True, slots=True)
class BookingWindow:
    """Bookable dates run from today + `min_notice_days` to today + `horizon_days`, inclusive."""

    min_notice_days: int = 2
    horizon_days: int = 120
    closures: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not 0 <= self.min_notice_days <= self.horizon_days:
            raise InvalidInputError(
                "invalid_booking_window", "The notice must be between 0 and the horizon."
            )

    def first_bookable(self, today: date) -> date:
        return today + timedelta(days=self.min_notice_days)

    def last_bookable(self, today: date) -> date:
        return today + timedelta(days=self.horizon_days)

    def status(self, day: date, today: date) -> DateStatus:
        if not self.first_bookable(today) <= day <= self.last_bookable(today):
            return DateStatus.OUT_OF_WINDOW
        if day in self.closures:
            return DateStatus.CLOSED
        return DateStatus.BOOKABLE

    def is_closed(self, day: date) -> bool:
        return day in self.closures


def days_from(start: date, count: int) -> Iterator[date]:
    """`count` consecutive dates starting at `start`."""
    for offset in range(count):
        yield start + timedelta(days=offset)
