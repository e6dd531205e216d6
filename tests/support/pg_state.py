"""The state of the test database, read back for assertions: rows by query, every table by
primary key and the differences between two reads; and a quick way to empty it between the
examples of a property test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, text

from adapters.sql.tables import metadata

Table = dict[tuple[Any, ...], dict[str, Any]]
Database = dict[str, Table]

# DELETE, not TRUNCATE: on tables this small it takes a millisecond where TRUNCATE takes tens
# (it swaps files), which matters a hundred times per property. The audit log refuses DELETE
# (its trigger), so the transaction runs as a replica, which fires no ordinary trigger; LOCAL
# keeps that to this transaction. Needs a superuser, as the test database's owner is.
_EMPTY = "SET LOCAL session_replication_role = replica; " + " ".join(
    f"DELETE FROM {table.name};" for table in reversed(metadata.sorted_tables)
)


def empty_quickly(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text(_EMPTY))


def rows(engine: Engine, sql: str, **parameters: Any) -> list[dict[str, Any]]:
    """The rows a query returns, as dictionaries."""
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(text(sql), parameters)]


def scalar(engine: Engine, sql: str, **parameters: Any) -> Any:
    with engine.connect() as connection:
        return connection.execute(text(sql), parameters).scalar()


def database(engine: Engine) -> Database:
    """Every row of every table, by primary key, read in one transaction."""
    found: Database = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            key = [column.name for column in table.primary_key.columns]
            found[table.name] = {
                tuple(row[name] for name in key): dict(row)
                for row in connection.execute(select(table)).mappings()
            }
    return found


@dataclass(frozen=True)
class Changes:
    """What happened to one table between two reads."""

    added: list[dict[str, Any]]
    changed: list[tuple[dict[str, Any], dict[str, Any]]]  # (before, after)
    removed: list[dict[str, Any]]


def changes(before: Database, after: Database) -> dict[str, Changes]:
    """The tables that differ between two reads, and how."""
    found = {}
    for name in before.keys() | after.keys():
        old, new = before.get(name, {}), after.get(name, {})
        table = Changes(
            added=[new[key] for key in new.keys() - old.keys()],
            changed=[
                (old[key], new[key]) for key in old.keys() & new.keys() if old[key] != new[key]
            ],
            removed=[old[key] for key in old.keys() - new.keys()],
        )
        if table.added or table.changed or table.removed:
            found[name] = table
    return found


def altered(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The columns of a row whose value changed, with their new values."""
    return {name: value for name, value in after.items() if before[name] != value}
