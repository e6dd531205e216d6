"""Engines: psycopg 3 against PostgreSQL, or the RDS Data API against Aurora. One schema, one
set of statements, two ways to reach it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text


def postgres_engine(url: str, pool_size: int, lock_timeout_seconds: float) -> Engine:
    """A pooled psycopg 3 engine. Every session waits at most `lock_timeout_seconds` for a lock
    and reads instants in UTC, set once per connection rather than once per transaction."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    milliseconds = max(1, round(lock_timeout_seconds * 1000))
    return create_engine(
        parsed,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=10,
        connect_args={"options": f"-c lock_timeout={milliseconds} -c TimeZone=UTC"},
    )


def aurora_engine(
    cluster_arn: str, secret_arn: str, database: str, lock_timeout_seconds: float
) -> Engine:
    """The Data API dialect: no connections to pool, credentials from Secrets Manager by ARN.
    Each transaction sets its lock timeout and time zone itself (there is no session to set
    them on once)."""
    engine = create_engine(
        f"postgresql+auroradataapi://:@/{database}",
        connect_args={"aurora_cluster_arn": cluster_arn, "secret_arn": secret_arn},
    )
    milliseconds = str(max(1, round(lock_timeout_seconds * 1000)))

    @event.listens_for(engine, "begin")
    def _session_settings(connection: Any) -> None:
        connection.execute(
            text(
                "SELECT set_config('lock_timeout', :ms, true), set_config('TimeZone', 'UTC', true)"
            ),
            {"ms": milliseconds},
        )

    return engine
