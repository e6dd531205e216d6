"""Alembic's environment: the schema is adapters.sql.tables; the connection comes from the
caller (`tap migrate`, the local build at start-up, or a test), never from a file."""

from __future__ import annotations

from alembic import context

from adapters.sql.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `tap migrate`, which provides the connection")

context.configure(connection=connection, target_metadata=metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
