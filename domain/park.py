"""The park: its name, its time zone and its currency. "Today" is always the park's today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import InvalidInputError


@dataclass(frozen=True, slots=True)
class Park:
    """One park. Visit dates are calendar dates in its zone, never UTC timestamps."""

    name: str
    timezone: str
    currency: str

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise InvalidInputError(
                "invalid_timezone", f"{self.timezone!r} is not an IANA time zone."
            ) from error

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self, now: datetime) -> date:
        """The calendar date at the park at the instant `now` (which must be aware)."""
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        return now.astimezone(self.zone).date()

    def local_time(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)
