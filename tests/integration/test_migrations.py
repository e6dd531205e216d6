"""The Alembic migrations, on a database of their own: they build the schema the tables'
metadata describes, running them again changes nothing, and downgrading to base takes it all
away again (and the schema can then be built anew)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, make_url, text

from adapters.sql.tables import metadata
from infra.migrate import alembic_config, migrate
from tests.support.live_http import ROOT
from tests.support.postgres import ADMIN_URL

pytestmark = pytest.mark.slow

# Everything the migrations may create in the schema, each as sorted text rows.
CATALOG = {
    "columns": """
        SELECT table_name, column_name, data_type, character_maximum_length,
               numeric_precision, numeric_scale, is_nullable, column_default,
               is_identity, identity_generation
        FROM information_schema.columns WHERE table_schema = 'public'""",
    "constraints": """
        SELECT c.conrelid::regclass::text, c.conname, c.contype,
               pg_get_constraintdef(c.oid), c.condeferrable, c.condeferred
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = 'public'""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "triggers": """
        SELECT t.tgrelid::regclass::text, t.tgname, pg_get_triggerdef(t.oid)
        FROM pg_trigger t WHERE NOT t.tgisinternal""",
    # Functions, sequences, views and types of our own, not those an extension brings.
    "functions": """
        SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND NOT EXISTS (
            SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')""",
    "relations": """
        SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S', 'v', 'm', 'p', 'f')""",
    "types": """
        SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typtype IN ('e', 'c', 'd', 'r') AND t.typrelid = 0
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')""",
    "extensions": "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'",
    "version": "SELECT version_num FROM alembic_version",
}


def catalog(engine: Engine, migrated: bool = True) -> dict[str, list[tuple[Any, ...]]]:
    """The schema's objects by kind (a database never migrated has no version to read)."""
    with engine.connect() as connection:
        return {
            name: sorted(tuple(map(str, row)) for row in connection.execute(text(query)))
            for name, query in CATALOG.items()
            if migrated or name != "version"
        }


def differences(engine: Engine) -> list[Any]:
    """What autogenerate would write to make the database match the metadata."""
    with engine.connect() as connection:
        return differences_on(connection)


def differences_on(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, metadata))


@pytest.fixture
def fresh_database() -> Iterator[tuple[str, Engine]]:
    """An empty database made for this test (not the run's shared one), dropped after it."""
    name = f"tap_migrations_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        yield url, engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def tap_migrate(url: str) -> subprocess.CompletedProcess[bytes]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("TAP_")}
    env.update({"TAP_DATABASE_URL": url, "TAP_LOG_LEVEL": "WARNING"})
    return subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", "migrate", "--profile", "postgres"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_the_migrations_build_the_schema_of_the_metadata_once_and_take_it_away_again(
    fresh_database: tuple[str, Engine],
) -> None:
    url, engine = fresh_database
    empty = catalog(engine, migrated=False)
    assert not any(empty.values()), empty

    # 1. An empty database gets exactly the schema the tables describe.
    migrate(engine)
    assert differences(engine) == []
    built = catalog(engine)
    assert built["version"] == [("0003",)]
    tables = {name for name, kind in built["relations"] if kind == "r"}
    assert tables == {*metadata.tables, "alembic_version"}
    assert {name for name, kind in built["relations"] if kind != "r"} == {
        "audit_log_seq_seq",
        "memory_events_seq_seq",
    }
    assert ("audit_log", "audit_log_is_append_only") in {row[:2] for row in built["triggers"]}
    exclusion = [row for row in built["constraints"] if row[2] == "x"]
    assert exclusion == [
        (
            "upgrade_orders",
            "ex_upgrade_orders_one_live_hold_per_ticket",
            "x",
            "EXCLUDE USING gist (ticket_id WITH =, tstzrange(created_at, live_until) WITH &&)"
            " DEFERRABLE INITIALLY DEFERRED",
            "True",
            "True",
        )
    ]

    # The comparison is not blind: a drifted schema (rolled back at once) shows up in it.
    with engine.connect() as connection, connection.begin() as drift:
        connection.execute(text("DROP INDEX ix_upgrade_orders_holds"))
        connection.execute(text("ALTER TABLE customers ALTER COLUMN email TYPE varchar(300)"))
        kinds = {(d[0][0] if isinstance(d, list) else d[0]) for d in differences_on(connection)}
        drift.rollback()
    assert kinds == {"add_index", "modify_type"}

    # Each step back and forth is exact: 0003 undone takes the conversation memory away (and
    # nothing else), 0002 undone leaves 0001's ledger, redone they give the head's schema.
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0002")
    before_memory = catalog(engine)
    assert before_memory["version"] == [("0002",)]
    assert {name for name, _ in before_memory["relations"]} == {
        name for name, _ in built["relations"]
    } - {"memory_events", "memory_records", "memory_events_seq_seq"}
    assert not [row for row in before_memory["indexes"] if row[0].startswith("memory_")]
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0001")
    previous = catalog(engine)
    ledger = {row[1] for row in previous["columns"] if row[0] == "payment_attempts"}
    assert previous["version"] == [("0001",)]
    assert {"kind", "refund_id"}.isdisjoint(ledger)
    migrate(engine)
    assert catalog(engine) == built

    # 2. Running `tap migrate` on it again changes nothing.
    again = tap_migrate(url)
    assert again.returncode == 0, again.stdout + again.stderr
    assert catalog(engine) == built

    # 3. Down to base: every table, index, constraint, trigger and function is gone; only
    # Alembic's own (now empty) version table and the btree_gist extension stay. The extension
    # is created "IF NOT EXISTS" (it may have been there before, and other schemas may use
    # it), so the downgrade leaves it alone.
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    emptied = catalog(engine)
    assert emptied["relations"] == [("alembic_version", "r")]
    assert emptied["version"] == []
    assert [row[0] for row in emptied["columns"]] == ["alembic_version"]
    assert [row[1] for row in emptied["constraints"]] == ["alembic_version_pkc"]
    assert [row[1] for row in emptied["indexes"]] == ["alembic_version_pkc"]
    assert emptied["triggers"] == emptied["functions"] == emptied["types"] == []
    assert emptied["extensions"] == [("btree_gist",)]

    # 4. And up again: the same schema as the first time.
    migrate(engine)
    assert differences(engine) == []
    assert catalog(engine) == built
