"""Capacity: how many upgrades of a tier the park can honour on a date."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from domain.errors import BusinessRuleError, InvalidInputError
from domain.tiers import Tier

DEFAULT_CAPACITY: Mapping[Tier, int] = {Tier.STANDARD: 300, Tier.NON_STOP: 120, Tier.DOUBLE_FUN: 40}


@dataclass(frozen=True, slots=True)
class CapacityPolicy:
    """A daily capacity per upgrade tier, with per-date overrides."""

    daily: Mapping[Tier, int] = field(default_factory=lambda: dict(DEFAULT_CAPACITY))
    overrides: Mapping[tuple[date, Tier], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if any(value < 0 for value in (*self.daily.values(), *self.overrides.values())):
            raise InvalidInputError("invalid_capacity", "A capacity cannot be negative.")

    def capacity(self, tier: Tier, day: date) -> int:
        override = self.overrides.get((day, tier))
        return override if override is not None else self.daily.get(tier, 0)


@dataclass(slots=True)
class DailyCapacity:
    """The use of one (tier, date): confirmed sales and live holds against its capacity.

    remaining = capacity - sold - held. Only read it after taking the lock on this (tier, date):
    a count read before the lock is a guess, and selling on a guess oversells.
    """

    tier: Tier
    day: date
    capacity: int
    sold: int
    held: int

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.sold - self.held)

    @property
    def is_sold_out(self) -> bool:
        return self.remaining == 0

    def hold_one(self) -> None:
        """Take one unit for a quote, or refuse because nothing remains."""
        if self.is_sold_out:
            raise BusinessRuleError(
                "sold_out",
                f"{self.tier.key} is sold out on {self.day.isoformat()}.",
                "Pick another date or another tier; the calendar shows what remains.",
            )
        self.held += 1

    def sell_held_unit(self) -> None:
        """A paid quote: its hold becomes a sale (the total in use does not change)."""
        self.held = max(0, self.held - 1)
        self.sold += 1

    def release_sale(self) -> None:
        """A refunded upgrade gives its unit back."""
        if self.sold == 0:
            raise BusinessRuleError("nothing_to_release", "No sale to release on that date.")
        self.sold -= 1
