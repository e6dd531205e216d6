"""The tier ladder: four rungs, upgrades offered on the top three, in order."""

import pytest

from domain.errors import InvalidInputError
from domain.tiers import TOP_TIER, UPGRADE_TIERS, Tier, TierCatalog


def test_the_ladder_runs_general_standard_non_stop_double_fun() -> None:
    ranks = {tier.key: tier.rank for tier in Tier}
    assert ranks == {"general": 0, "standard": 1, "non-stop": 2, "double-fun": 3}
    assert TOP_TIER is Tier.DOUBLE_FUN


def test_a_tier_is_above_only_the_lower_rungs() -> None:
    assert Tier.NON_STOP.is_above(Tier.STANDARD)
    assert not Tier.NON_STOP.is_above(Tier.NON_STOP)
    assert not Tier.STANDARD.is_above(Tier.DOUBLE_FUN)


def test_upgrade_options_are_exactly_standard_non_stop_double_fun_in_that_order() -> None:
    assert UPGRADE_TIERS == (Tier.STANDARD, Tier.NON_STOP, Tier.DOUBLE_FUN)
    keys = [description.key for description in TierCatalog.build().upgrade_tiers()]
    assert keys == ["standard", "non-stop", "double-fun"]


@pytest.mark.parametrize("text", ["non-stop", "NON_STOP", " Non Stop ", "non_stop"])
def test_a_tier_key_is_read_forgiving_case_underscores_and_spaces(text: str) -> None:
    assert Tier.parse(text) is Tier.NON_STOP


def test_an_unknown_tier_is_refused_with_the_valid_keys_as_guidance() -> None:
    with pytest.raises(InvalidInputError) as caught:
        Tier.parse("platinum")
    assert caught.value.code == "invalid_tier"
    assert "double-fun" in caught.value.guidance


def test_the_catalog_uses_the_default_names_unless_the_park_renames_a_tier() -> None:
    catalog = TierCatalog.build(names={Tier.STANDARD: "Classic"})
    assert catalog.describe(Tier.STANDARD).name == "Classic"
    assert catalog.describe(Tier.DOUBLE_FUN).name == "Double Fun"
    assert catalog.describe(Tier.GENERAL).name == "General admission"
