"""Prices: list prices per tier, a day type per date, operator overrides, and the amount due."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from itertools import pairwise

from domain.errors import BusinessRuleError, InvalidInputError, PriceTableError
from domain.money import Money
from domain.tiers import Tier


class DayType(Enum):
    """How busy a day is expected to be; each type scales the list prices."""

    PEAK = "peak"
    WEEKEND = "weekend"
    OFF_PEAK = "off-peak"
    REGULAR = "regular"


@dataclass(frozen=True, slots=True)
class SeasonWindow:
    """An inclusive window of days in every year, e.g. Dec 20 - Jan 3 (it may wrap the new year)."""

    start: tuple[int, int]  # (month, day)
    end: tuple[int, int]

    def __post_init__(self) -> None:
        for month, day in (self.start, self.end):
            try:
                date(2000, month, day)  # a leap year, so Feb 29 is allowed
            except ValueError as error:
                raise InvalidInputError(
                    "invalid_season", f"{month}-{day} is not a day of the year."
                ) from error

    @classmethod
    def parse(cls, text: str) -> SeasonWindow:
        """Read "12-20..01-03" (month-day..month-day)."""
        try:
            first, last = text.split("..")
            start_month, start_day = (int(part) for part in first.split("-"))
            end_month, end_day = (int(part) for part in last.split("-"))
        except ValueError as error:
            raise InvalidInputError(
                "invalid_season", f"{text!r} is not a season.", "Write it as MM-DD..MM-DD."
            ) from error
        return cls((start_month, start_day), (end_month, end_day))

    def contains(self, day: date) -> bool:
        key = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= key <= self.end
        return key >= self.start or key <= self.end


TUESDAY, WEDNESDAY, SATURDAY, SUNDAY = 1, 2, 5, 6


@dataclass(frozen=True, slots=True)
class DayTypeRules:
    """The first matching rule gives a date its type: peak, weekend, off-peak, else regular."""

    peak_windows: tuple[SeasonWindow, ...] = (
        SeasonWindow((12, 20), (1, 3)),
        SeasonWindow((7, 1), (8, 31)),
    )
    off_peak_months: frozenset[int] = frozenset({1, 2, 3, 9, 10, 11})
    off_peak_weekdays: frozenset[int] = frozenset({TUESDAY, WEDNESDAY})
    weekend_weekdays: frozenset[int] = frozenset({SATURDAY, SUNDAY})
    multipliers: Mapping[DayType, Decimal] = field(
        default_factory=lambda: {
            DayType.PEAK: Decimal("1.50"),
            DayType.WEEKEND: Decimal("1.25"),
            DayType.OFF_PEAK: Decimal("0.85"),
            DayType.REGULAR: Decimal("1.00"),
        }
    )

    def __post_init__(self) -> None:
        missing = [kind.value for kind in DayType if kind not in self.multipliers]
        if missing:
            raise PriceTableError("invalid_price_table", f"No multiplier for {missing}.")
        if any(multiplier <= 0 for multiplier in self.multipliers.values()):
            raise PriceTableError("invalid_price_table", "Multipliers must be positive.")

    def day_type(self, day: date) -> DayType:
        if any(window.contains(day) for window in self.peak_windows):
            return DayType.PEAK
        weekday = day.weekday()
        if weekday in self.weekend_weekdays:
            return DayType.WEEKEND
        if day.month in self.off_peak_months and weekday in self.off_peak_weekdays:
            return DayType.OFF_PEAK
        return DayType.REGULAR

    def multiplier(self, day: date) -> Decimal:
        return self.multipliers[self.day_type(day)]


DEFAULT_LIST_PRICES: Mapping[Tier, str] = {
    Tier.GENERAL: "59.00",
    Tier.STANDARD: "79.00",
    Tier.NON_STOP: "109.00",
    Tier.DOUBLE_FUN: "149.00",
}


@dataclass(frozen=True, slots=True)
class PriceTable:
    """price(tier, date) = list price x the day's multiplier, unless an operator overrode it.

    Built only through `PriceTable.load`, which refuses any table whose ladder is not strictly
    increasing on some date, so an upgrade always costs something.
    """

    currency: str
    list_prices: Mapping[Tier, Money]
    rules: DayTypeRules
    overrides: Mapping[tuple[date, Tier], Money]

    @classmethod
    def load(
        cls,
        list_prices: Mapping[Tier, Money],
        rules: DayTypeRules | None = None,
        overrides: Mapping[tuple[date, Tier], Money] | None = None,
    ) -> PriceTable:
        rules = rules or DayTypeRules()
        overrides = dict(overrides or {})
        missing = [tier.key for tier in Tier if tier not in list_prices]
        if missing:
            raise PriceTableError("invalid_price_table", f"No list price for {missing}.")
        currencies = {money.currency for money in (*list_prices.values(), *overrides.values())}
        if len(currencies) != 1:
            raise PriceTableError("invalid_price_table", "A price table has one currency.")
        table = cls(currencies.pop(), dict(list_prices), rules, overrides)
        table._check_ladder()
        return table

    def _check_ladder(self) -> None:
        # Every multiplier is checked on the list prices (rounding can merge close prices),
        # and every overridden date on its own.
        for kind, multiplier in self.rules.multipliers.items():
            prices = [self.list_prices[tier].times(multiplier) for tier in Tier]
            if any(low >= high for low, high in pairwise(prices)):
                raise PriceTableError(
                    "invalid_price_table",
                    f"On {kind.value} days the tiers' prices are not strictly increasing.",
                )
        for day in sorted({day for day, _ in self.overrides}):
            prices = [self.price(tier, day) for tier in Tier]
            if any(low >= high for low, high in pairwise(prices)):
                raise PriceTableError(
                    "invalid_price_table",
                    f"On {day.isoformat()} the tiers' prices are not strictly increasing.",
                )

    def day_type(self, day: date) -> DayType:
        return self.rules.day_type(day)

    def price(self, tier: Tier, day: date) -> Money:
        override = self.overrides.get((day, tier))
        if override is not None:
            return override
        return self.list_prices[tier].times(self.rules.multiplier(day))

    def prices_on(self, day: date, tiers: Iterable[Tier]) -> dict[Tier, Money]:
        return {tier: self.price(tier, day) for tier in tiers}


@dataclass(frozen=True, slots=True)
class UpgradePrice:
    """What an upgrade to `tier` on `day` costs: the tier's price less the ticket's credit."""

    tier: Tier
    day: date
    price: Money
    credit: Money
    amount_due: Money


def price_upgrade(
    prices: PriceTable, current: Tier, paid: Money, target: Tier, day: date
) -> UpgradePrice:
    """Amount due = price(target, day) - min(paid, price(current, day)).

    The ticket is worth what was paid for it, but never more than its own tier costs that day;
    so a cheaper day refunds nothing, a dearer day costs the difference, and because the ladder
    is strictly increasing the amount due is always positive.
    """
    if not target.is_above(current):
        raise BusinessRuleError(
            "tier_not_higher",
            f"{target.key} is not above {current.key}.",
            "An upgrade must go up the ladder: pick a higher tier.",
        )
    price = prices.price(target, day)
    credit = paid.min(prices.price(current, day))
    return UpgradePrice(target, day, price, credit, price - credit)
