"""The park's upgrade rules in one value: prices, window, capacity, tiers, hold and declines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from domain.calendar import BookingWindow
from domain.capacity import CapacityPolicy
from domain.errors import InvalidInputError
from domain.park import Park
from domain.pricing import PriceTable
from domain.tiers import TierCatalog


@dataclass(frozen=True, slots=True)
class UpgradePolicy:
    """Everything configurable about upgrades. Built once from settings, shared read-only."""

    park: Park
    prices: PriceTable
    window: BookingWindow = field(default_factory=BookingWindow)
    capacity: CapacityPolicy = field(default_factory=CapacityPolicy)
    catalog: TierCatalog = field(default_factory=TierCatalog.build)
    hold: timedelta = timedelta(minutes=15)
    max_declines: int = 3

    def __post_init__(self) -> None:
        if self.prices.currency != self.park.currency:
            raise InvalidInputError(
                "invalid_policy",
                f"Prices are in {self.prices.currency} but the park sells in {self.park.currency}.",
            )
        if self.hold <= timedelta(0) or self.max_declines < 1:
            raise InvalidInputError("invalid_policy", "The hold and the declines must be positive.")

    @property
    def currency(self) -> str:
        return self.park.currency
