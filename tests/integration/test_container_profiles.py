"""The composition root: every use case resolves at start, and a bad setting fails at start."""

import pytest

from adapters.memory.unit_of_work import MemoryUnitOfWork
from infra.container import USE_CASES, ConfigurationError, build_container
from tests.conftest import make_settings


def test_the_memory_profile_resolves_every_use_case_at_start() -> None:
    container = build_container(make_settings())

    for name in USE_CASES:
        assert getattr(container, name)() is not None
    assert isinstance(container.unit_of_work(), MemoryUnitOfWork)


def test_each_call_of_the_unit_of_work_provider_is_a_new_transaction() -> None:
    container = build_container(make_settings())

    assert container.unit_of_work() is not container.unit_of_work()
    assert container.memory_store() is container.memory_store()


@pytest.mark.parametrize("profile", ["postgres", "aws"])
def test_a_profile_without_its_adapters_in_this_build_fails_at_start_with_a_clear_message(
    profile: str,
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        build_container(make_settings(profile=profile, email="recording"))

    assert "no adapter" in str(refused.value)
    assert "TAP_PROFILE=memory" in str(refused.value)


def test_a_price_table_that_breaks_the_ladder_stops_the_build_at_start() -> None:
    with pytest.raises(ConfigurationError) as refused:
        build_container(make_settings(price_non_stop="70.00"))

    assert "strictly increasing" in str(refused.value)


def test_an_unknown_time_zone_stops_the_build_at_start() -> None:
    with pytest.raises(ConfigurationError) as refused:
        build_container(make_settings(park_timezone="Mars/Olympus_Mons"))

    assert "Mars/Olympus_Mons" in str(refused.value)


def test_each_profile_picks_its_adapters_unless_one_is_chosen_explicitly() -> None:
    assert make_settings(profile="aws").persistence == "aurora"
    assert make_settings(profile="aws", email=None).email == "ses"
    assert make_settings(profile="postgres", persistence="memory").persistence == "memory"


def test_use_cases_leave_the_event_loop_only_when_an_adapter_waits_on_io() -> None:
    assert make_settings().use_threads is False
    assert make_settings(profile="postgres").use_threads is True
    assert make_settings(handler_threads=True).use_threads is True
