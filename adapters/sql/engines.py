"""Engines: psycopg 3 against PostgreSQL, or the RDS Data API against Aurora. One schema, one
set of statements, two ways to reach it."""

from __future__ import annotations

from typing import Any

import boto3
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.dialects import registry

from adapters.sql import data_api


def postgres_engine(
    url: str,
    pool_size: int,
    lock_timeout_seconds: float,
    autocommit: bool = False,
    wait_for_disk: bool = True,
) -> Engine:
    """A pooled psycopg 3 engine. Every session waits at most `lock_timeout_seconds` for a lock
    and reads instants in UTC, set once per connection rather than once per transaction.

    `autocommit` makes a pool whose connections stay in autocommit (for one-statement work,
    without switching a connection's mode at every checkout). `wait_for_disk=False` lets a
    commit return before its WAL is flushed (synchronous_commit off): a database crash may lose
    the last fraction of a second of such writes, never reorder them after later durable ones,
    so it suits records that can be lost without harm (idempotency bookkeeping)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    milliseconds = max(1, round(lock_timeout_seconds * 1000))
    return create_engine(
        parsed,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=10,
        connect_args={
            "options": f"-c lock_timeout={milliseconds} -c TimeZone=UTC"
            + ("" if wait_for_disk else " -c synchronous_commit=off")
        },
        **({"isolation_level": "AUTOCOMMIT"} if autocommit else {}),
    )


def aurora_engine(
    cluster_arn: str, secret_arn: str, database: str, region: str, lock_timeout_seconds: float
) -> Engine:
    """The Data API dialect: no connections to pool, credentials from Secrets Manager by ARN.
    Each transaction sets its lock timeout and time zone itself (there is no session to set
    them on once)."""
    registry.register(data_api.NAME, data_api.__name__, data_api.DataApiDialect.__name__)
    engine = create_engine(
        f"{data_api.DRIVER}://:@/{database}",
        connect_args={
            "aurora_cluster_arn": cluster_arn,
            "secret_arn": secret_arn,
            # One client for the engine, in the configured region (the driver would otherwise
            # make one per connection from the environment's region).
            "rds_data_client": boto3.client("rds-data", region_name=region),
        },
    )
    milliseconds = max(1, round(lock_timeout_seconds * 1000))
    # Built once per engine; the values are numbers and a constant, so nothing is bound.
    settings = text(
        f"SELECT set_config('lock_timeout', '{milliseconds}ms', true),"
        " set_config('TimeZone', 'UTC', true)"
    )

    # Runs as the transaction's first statement: the driver opens the Data API transaction
    # on it (BeginTransaction), and `true` makes both settings last until that one ends.
    @event.listens_for(engine, "begin")
    def _session_settings(connection: Any) -> None:
        connection.execute(settings)

    return engine
