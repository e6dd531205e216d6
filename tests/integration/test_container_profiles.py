"""The composition root: every use case resolves at start, and a bad setting fails at start."""

import pytest
from pydantic import ValidationError

from adapters.memory.unit_of_work import MemoryUnitOfWork
from adapters.sql.unit_of_work import SqlUnitOfWork
from infra.container import USE_CASES, ConfigurationError, build_container
from tests.conftest import make_settings

URL = "postgresql://postgres@127.0.0.1:5432/tap"
CLUSTER = "arn:aws:rds:us-east-1:123456789012:cluster:tap"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:tap-db-AbCdEf"
COGNITO = {"cognito_user_pool_id": "us-east-1_Ab1", "cognito_client_id": "web"}


def test_the_memory_profile_resolves_every_use_case_at_start() -> None:
    container = build_container(make_settings())

    for name in USE_CASES:
        assert getattr(container, name)() is not None
    assert isinstance(container.unit_of_work(), MemoryUnitOfWork)


def test_each_call_of_the_unit_of_work_provider_is_a_new_transaction() -> None:
    container = build_container(make_settings())

    assert container.unit_of_work() is not container.unit_of_work()
    assert container.memory_store() is container.memory_store()


def test_the_postgres_profile_resolves_every_use_case_without_touching_the_database() -> None:
    unreachable = "postgresql://nobody@127.0.0.1:9/nowhere"  # nothing listens on port 9

    container = build_container(make_settings(profile="postgres", database_url=unreachable))

    for name in USE_CASES:
        assert getattr(container, name)() is not None
    assert isinstance(container.unit_of_work(), SqlUnitOfWork)


def test_the_aws_profile_without_its_agentcore_memory_fails_at_start_with_a_clear_message() -> None:
    settings = make_settings(
        profile="aws", email=None, aurora_cluster_arn=CLUSTER, aurora_secret_arn=SECRET, **COGNITO
    )

    with pytest.raises(ConfigurationError) as refused:
        build_container(settings)

    assert "TAP_AGENTCORE_MEMORY_ID" in str(refused.value)


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"profile": "postgres"}, "TAP_DATABASE_URL"),
        ({"profile": "aws"}, "TAP_AURORA_CLUSTER_ARN"),
    ],
)
def test_a_database_profile_without_its_address_is_refused_by_the_settings(
    overrides: dict[str, str], named: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        make_settings(**overrides)

    assert named in str(refused.value)


def test_a_price_table_that_breaks_the_ladder_stops_the_build_at_start() -> None:
    with pytest.raises(ConfigurationError) as refused:
        build_container(make_settings(price_non_stop="70.00"))

    assert "strictly increasing" in str(refused.value)


def test_an_unknown_time_zone_stops_the_build_at_start() -> None:
    with pytest.raises(ConfigurationError) as refused:
        build_container(make_settings(park_timezone="Mars/Olympus_Mons"))

    assert "Mars/Olympus_Mons" in str(refused.value)


def test_each_profile_picks_its_adapters_unless_one_is_chosen_explicitly() -> None:
    aws = make_settings(
        profile="aws", email=None, aurora_cluster_arn=CLUSTER, aurora_secret_arn=SECRET, **COGNITO
    )
    assert (aws.persistence, aws.email, aws.identity) == ("aurora", "ses", "cognito")
    assert make_settings(profile="postgres", persistence="memory").persistence == "memory"


def test_use_cases_leave_the_event_loop_only_when_an_adapter_waits_on_io() -> None:
    assert make_settings().use_threads is False
    assert make_settings(profile="postgres", database_url=URL).use_threads is True
    assert make_settings(handler_threads=True).use_threads is True
