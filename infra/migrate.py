"""Applying the migrations to a database: `tap migrate`, or the local build at start-up."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, make_url, text

from adapters.sql.engines import postgres_engine
from infra.secrets import database_url_from_secret
from infra.settings import Settings

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine_connection: object | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = engine_connection
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (idempotent: a database already there is unchanged)."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def migrate_database(settings: Settings) -> None:
    """Migrate the database the settings name: PostgreSQL by its URL; Aurora with the
    credentials its Secrets Manager secret holds (DDL goes over a direct connection)."""
    if settings.persistence == "postgres":
        url = settings.database_url_value()
    elif settings.persistence == "aurora" and settings.aurora_secret_arn:
        url = database_url_from_secret(
            settings.aurora_secret_arn, settings.aws_region, settings.aurora_database
        )
    else:
        raise ValueError(f"no database to migrate for persistence {settings.persistence!r}")
    if settings.persistence == "postgres" and url:
        ensure_database(url)
    engine = postgres_engine(url or "", pool_size=1, lock_timeout_seconds=30)
    try:
        migrate(engine)
    finally:
        engine.dispose()


def ensure_database(url: str) -> None:
    """Create the local database if it does not exist yet (a developer's first run)."""
    target = make_url(url)
    maintenance = postgres_engine(
        target.set(database="postgres").render_as_string(hide_password=False),
        pool_size=1,
        lock_timeout_seconds=30,
    ).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with maintenance.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).first()
            if exists is None:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        maintenance.engine.dispose()
