"""A fresh PostgreSQL database for the test run, migrated once, dropped at the end; every test
that uses it starts from empty tables."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from adapters.clock import FixedClock
from adapters.sql.tables import metadata
from infra.container import Container
from infra.migrate import migrate
from tests.conftest import build_test_container, make_settings

# The machine's PostgreSQL (trust authentication on loopback); TAP_TEST_POSTGRES_URL points
# the tests elsewhere.
ADMIN_URL = os.environ.get(
    "TAP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TABLES = ", ".join(table.name for table in metadata.sorted_tables)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a database made for this run, with the migrations applied."""
    name = f"tap_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def empty_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))


@pytest.fixture
def postgres_container(postgres_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[Container]:
    """A postgres-profile container on the fixed clock, over empty tables."""
    container = build_test_container(
        make_settings(tmp_path, profile="postgres", database_url=postgres_url), clock
    )
    engine = container.postgres_engine()
    empty_tables(engine)
    yield container
    container.shutdown_resources()
