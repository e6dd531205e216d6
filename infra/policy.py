"""Turns settings into the domain's UpgradePolicy (the park's rules)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import TypeVar

from domain.calendar import BookingWindow
from domain.capacity import CapacityPolicy
from domain.errors import InvalidInputError
from domain.money import Money
from domain.park import Park
from domain.policy import UpgradePolicy
from domain.pricing import DayType, DayTypeRules, PriceTable, SeasonWindow
from domain.tiers import DEFAULT_TIER_FEATURES, Tier, TierCatalog
from infra.settings import Settings

Value = TypeVar("Value")


def _by_date_and_tier(raw: Mapping[str, Value], what: str) -> dict[tuple[date, Tier], Value]:
    """Read {"2026-12-24:double-fun": value} maps."""
    parsed: dict[tuple[date, Tier], Value] = {}
    for key, value in raw.items():
        day, _, tier = key.partition(":")
        try:
            parsed[(date.fromisoformat(day), Tier.parse(tier))] = value
        except ValueError as error:
            raise InvalidInputError(
                f"invalid_{what}", f"{key!r} is not DATE:TIER (e.g. 2026-12-24:double-fun)."
            ) from error
    return parsed


def build_policy(settings: Settings) -> UpgradePolicy:
    currency = settings.currency
    rules = DayTypeRules(
        peak_windows=tuple(SeasonWindow.parse(text) for text in settings.peak_seasons),
        off_peak_months=frozenset(settings.off_peak_months),
        multipliers={
            DayType.PEAK: settings.multiplier_peak,
            DayType.WEEKEND: settings.multiplier_weekend,
            DayType.OFF_PEAK: settings.multiplier_off_peak,
            DayType.REGULAR: settings.multiplier_regular,
        },
    )
    list_prices = {
        Tier.GENERAL: Money(settings.price_general, currency),
        Tier.STANDARD: Money(settings.price_standard, currency),
        Tier.NON_STOP: Money(settings.price_non_stop, currency),
        Tier.DOUBLE_FUN: Money(settings.price_double_fun, currency),
    }
    overrides = {
        key: Money(amount, currency)
        for key, amount in _by_date_and_tier(settings.price_overrides, "price_override").items()
    }
    features = {Tier.parse(key): tuple(value) for key, value in settings.tier_features.items()}
    return UpgradePolicy(
        park=Park(settings.park_name, settings.park_timezone, currency),
        prices=PriceTable.load(list_prices, rules, overrides),
        window=BookingWindow(
            settings.min_notice_days, settings.horizon_days, frozenset(settings.closures)
        ),
        capacity=CapacityPolicy(
            daily={
                Tier.STANDARD: settings.capacity_standard,
                Tier.NON_STOP: settings.capacity_non_stop,
                Tier.DOUBLE_FUN: settings.capacity_double_fun,
            },
            overrides=_by_date_and_tier(settings.capacity_overrides, "capacity_override"),
        ),
        catalog=TierCatalog.build(features={**DEFAULT_TIER_FEATURES, **features}),
        hold=timedelta(minutes=settings.hold_minutes),
        max_declines=settings.max_declines,
    )
