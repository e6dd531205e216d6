"""The tier ladder: general admission at the bottom, Double Fun at the top."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from domain.errors import InvalidInputError


class Tier(Enum):
    """A rung of the ladder. The value is the key used on every wire."""

    GENERAL = "general"
    STANDARD = "standard"
    NON_STOP = "non-stop"
    DOUBLE_FUN = "double-fun"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @property
    def key(self) -> str:
        return self.value

    def is_above(self, other: Tier) -> bool:
        return self.rank > other.rank

    @classmethod
    def parse(cls, text: str) -> Tier:
        """Read a tier key ("non-stop"); underscores, spaces and case are forgiven."""
        key = text.strip().lower().replace("_", "-").replace(" ", "-")
        try:
            return cls(key)
        except ValueError:
            keys = ", ".join(tier.key for tier in cls)
            raise InvalidInputError(
                "invalid_tier", f"{text!r} is not a tier.", f"Use one of: {keys}."
            ) from None


_RANKS = {Tier.GENERAL: 0, Tier.STANDARD: 1, Tier.NON_STOP: 2, Tier.DOUBLE_FUN: 3}

TOP_TIER = Tier.DOUBLE_FUN

# Upgrade options always list exactly these three, in this order (DOMAIN.md, "Tiers").
UPGRADE_TIERS: tuple[Tier, Tier, Tier] = (Tier.STANDARD, Tier.NON_STOP, Tier.DOUBLE_FUN)


@dataclass(frozen=True, slots=True)
class TierDescription:
    """What a customer is told about a tier: its name and what it adds (marketing copy)."""

    tier: Tier
    name: str
    features: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.tier.key

    @property
    def rank(self) -> int:
        return self.tier.rank


DEFAULT_TIER_NAMES: Mapping[Tier, str] = {
    Tier.GENERAL: "General admission",
    Tier.STANDARD: "Standard",
    Tier.NON_STOP: "Non-stop",
    Tier.DOUBLE_FUN: "Double Fun",
}

DEFAULT_TIER_FEATURES: Mapping[Tier, tuple[str, ...]] = {
    Tier.GENERAL: ("Park entry",),
    Tier.STANDARD: ("Park entry", "3 express-lane passes", "A reserved seat at one show"),
    Tier.NON_STOP: ("Park entry", "Unlimited express lanes", "Early entry"),
    Tier.DOUBLE_FUN: (
        "Everything in Non-stop",
        "A second consecutive day",
        "Photo package",
        "Lounge access",
    ),
}


@dataclass(frozen=True, slots=True)
class TierCatalog:
    """The descriptions of every tier, as the park configures them."""

    descriptions: Mapping[Tier, TierDescription]

    @classmethod
    def build(
        cls,
        names: Mapping[Tier, str] = DEFAULT_TIER_NAMES,
        features: Mapping[Tier, Sequence[str]] = DEFAULT_TIER_FEATURES,
    ) -> TierCatalog:
        descriptions = {
            tier: TierDescription(
                tier,
                names.get(tier, DEFAULT_TIER_NAMES[tier]),
                tuple(features.get(tier, DEFAULT_TIER_FEATURES[tier])),
            )
            for tier in Tier
        }
        return cls(descriptions)

    def describe(self, tier: Tier) -> TierDescription:
        return self.descriptions[tier]

    def upgrade_tiers(self) -> tuple[TierDescription, ...]:
        return tuple(self.descriptions[tier] for tier in UPGRADE_TIERS)
