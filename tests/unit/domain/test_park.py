"""The park: "today" is the park's today, and the upgrade policy hangs together."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from domain.errors import InvalidInputError
from domain.money import Money
from domain.park import Park
from domain.policy import UpgradePolicy
from domain.pricing import DEFAULT_LIST_PRICES, PriceTable
from tests.unit.domain.builders import default_prices

PARK = Park("Sunny Park", "America/Los_Angeles", "USD")


def test_late_evening_at_the_park_is_still_today_though_utc_is_tomorrow() -> None:
    # 03:00 UTC on 11 March is 20:00 on 10 March in Los Angeles (UTC-7 after the DST change).
    assert PARK.today(datetime(2026, 3, 11, 3, 0, tzinfo=UTC)) == date(2026, 3, 10)


def test_the_park_day_starts_at_local_midnight() -> None:
    assert PARK.today(datetime(2026, 3, 11, 6, 59, tzinfo=UTC)) == date(2026, 3, 10)
    assert PARK.today(datetime(2026, 3, 11, 7, 0, tzinfo=UTC)) == date(2026, 3, 11)


def test_winter_time_moves_the_park_midnight_to_eight_utc() -> None:
    assert PARK.today(datetime(2026, 1, 15, 7, 59, tzinfo=UTC)) == date(2026, 1, 14)
    assert PARK.today(datetime(2026, 1, 15, 8, 0, tzinfo=UTC)) == date(2026, 1, 15)


def test_today_is_the_same_whatever_zone_the_instant_is_written_in() -> None:
    tokyo = timezone(timedelta(hours=9))
    assert PARK.today(datetime(2026, 3, 11, 12, 0, tzinfo=tokyo)) == date(2026, 3, 10)


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        PARK.today(datetime(2026, 3, 10, 12, 0))


def test_local_time_is_the_instant_on_the_park_clock() -> None:
    local = PARK.local_time(datetime(2026, 3, 10, 16, 0, tzinfo=UTC))
    assert (local.hour, local.utcoffset()) == (9, timedelta(hours=-7))


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "PST8PDT/../../etc"])
def test_a_park_needs_an_iana_time_zone(zone: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Park("Sunny Park", zone, "USD")
    assert caught.value.code == "invalid_timezone"


def test_the_policy_defaults_to_a_15_minute_hold_and_3_declines() -> None:
    policy = UpgradePolicy(PARK, default_prices())
    assert policy.hold == timedelta(minutes=15)
    assert policy.max_declines == 3
    assert policy.currency == "USD"
    assert policy.window.horizon_days == 120


def test_a_policy_whose_prices_are_in_another_currency_is_refused() -> None:
    euros = PriceTable.load(
        {tier: Money.of(text, "EUR") for tier, text in DEFAULT_LIST_PRICES.items()}
    )
    with pytest.raises(InvalidInputError) as caught:
        UpgradePolicy(PARK, euros)
    assert caught.value.code == "invalid_policy"


@pytest.mark.parametrize(("hold", "declines"), [(timedelta(0), 3), (timedelta(minutes=15), 0)])
def test_a_policy_needs_a_positive_hold_and_at_least_one_decline(
    hold: timedelta, declines: int
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        UpgradePolicy(PARK, default_prices(), hold=hold, max_declines=declines)
    assert caught.value.code == "invalid_policy"
