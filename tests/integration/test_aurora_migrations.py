"""`tap migrate --profile aws`: the credentials come from the Aurora secret in Secrets Manager
(moto's), the DDL goes over a direct connection, and the service then reads the migrated
schema through the Data API."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from alembic.script import ScriptDirectory
from botocore.exceptions import ClientError
from moto import mock_aws
from sqlalchemy import create_engine, inspect, make_url, text

from adapters.clock import FixedClock
from adapters.sql.tables import metadata
from infra.migrate import alembic_config, migrate_database
from tests.conftest import build_test_container
from tests.contract.uow_support import new_customer, persist
from tests.support.data_api import aurora_settings
from tests.support.data_api_server import DataApiServer
from tests.support.postgres import ADMIN_URL

pytestmark = pytest.mark.slow


@pytest.fixture
def empty_database() -> Iterator[str]:
    """The name of a database made for this test, with nothing in it."""
    name = f"tap_aurora_migrations_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def aurora_secret() -> Iterator[str]:
    """The ARN of an RDS-style secret in moto's Secrets Manager, holding the credentials of the
    local PostgreSQL."""
    admin = make_url(ADMIN_URL)
    value = {
        "engine": "postgres",
        "username": admin.username,
        "password": admin.password or "",
        "host": admin.host,
        "port": admin.port or 5432,
    }
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        created = client.create_secret(Name="tap/aurora", SecretString=json.dumps(value))
        yield created["ARN"]


def test_migrate_reads_the_secret_and_builds_the_schema_the_data_api_then_serves(
    empty_database: str,
    aurora_secret: str,
    postgres_url: str,
    data_api: DataApiServer,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    settings = aurora_settings(
        tmp_path, postgres_url, aurora_secret_arn=aurora_secret, aurora_database=empty_database
    )

    migrate_database(settings)
    migrate_database(settings)  # a second run changes nothing

    direct = create_engine(make_url(ADMIN_URL).set(database=empty_database))
    try:
        tables = set(inspect(direct).get_table_names())
        with direct.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        direct.dispose()
    assert tables == {*metadata.tables, "alembic_version"}
    assert version == [(ScriptDirectory.from_config(alembic_config()).get_current_head(),)]

    # The service reaches the same schema through the Data API (the stand-in does not read
    # secrets, so it is given the fixture's ARN).
    container = build_test_container(
        aurora_settings(tmp_path, postgres_url, aurora_database=empty_database), clock
    )
    ana = new_customer(clock)
    persist(container.unit_of_work, ana)
    with container.unit_of_work() as uow:
        stored = uow.customers.get(ana.id)
    container.shutdown_resources()
    assert stored == ana


def test_migrate_with_an_unknown_secret_fails_before_touching_any_database(
    aurora_secret: str, postgres_url: str, tmp_path: Path
) -> None:
    settings = aurora_settings(
        tmp_path, postgres_url, aurora_secret_arn=aurora_secret.replace("tap/aurora", "nope")
    )

    with pytest.raises(ClientError) as raised:
        migrate_database(settings)

    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
