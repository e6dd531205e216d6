"""The aurora persistence in tests: the real Data API driver and SQLAlchemy dialect, talking to
`DataApiServer` over the run's PostgreSQL database (the `postgres_url` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url

from adapters.clock import FixedClock
from infra.container import Container
from infra.settings import Settings
from tests.conftest import build_test_container, make_settings
from tests.support.data_api_server import DataApiServer
from tests.support.postgres import empty_tables

CLUSTER_ARN = "arn:aws:rds:us-east-1:123456789012:cluster:tap-test"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:tap-test-Ab12Cd"
# Not UTC, so that code relying on the cluster's time zone instead of setting its own fails.
SERVER_TIMEZONE = "Pacific/Chatham"


@pytest.fixture(scope="session")
def data_api_server(postgres_url: str) -> Iterator[DataApiServer]:
    conninfo = make_url(postgres_url).set(drivername="postgresql", database=None)
    server = DataApiServer(
        conninfo.render_as_string(hide_password=False),
        CLUSTER_ARN,
        SECRET_ARN,
        timezone=SERVER_TIMEZONE,
    )
    with server:
        yield server


@pytest.fixture
def data_api(data_api_server: DataApiServer, monkeypatch: pytest.MonkeyPatch) -> DataApiServer:
    """The server, with boto3 pointed at it: the driver makes a plain `boto3.client("rds-data")`,
    which reads its endpoint, region and (dummy) credentials from the environment."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_RDS_DATA", data_api_server.endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return data_api_server


def aurora_settings(tmp_path: Path, postgres_url: str, **overrides: object) -> Settings:
    """The aws profile with aurora persistence on the test database; email recorded, identity
    local, the rules as the reasoner and conversations kept in the same database (no AWS)."""
    values: dict[str, object] = {
        "profile": "aws",
        "persistence": "aurora",
        "email": "recording",
        "identity": "local",
        "reasoner": "rules",
        "conversation_memory": "postgres",
        "aurora_cluster_arn": CLUSTER_ARN,
        "aurora_secret_arn": SECRET_ARN,
        "aurora_database": make_url(postgres_url).database,
        **overrides,
    }
    return make_settings(tmp_path, **values)


@pytest.fixture
def aurora_container(
    data_api: DataApiServer, postgres_url: str, clock: FixedClock, tmp_path: Path
) -> Iterator[Container]:
    """An aws-profile container (aurora persistence) on the fixed clock, over empty tables."""
    container = build_test_container(aurora_settings(tmp_path, postgres_url), clock)
    engine = container.aurora_engine()
    empty_tables(engine)
    yield container
    container.shutdown_resources()
