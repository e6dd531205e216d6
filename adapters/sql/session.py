"""One database transaction: opened at its first statement, errors translated on the way out."""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, Executable, text
from sqlalchemy.exc import DBAPIError

from adapters.sql.direct import DirectExecutor
from adapters.sql.errors import translate

Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]]
# Deferred constraints (one live hold per ticket) are checked by this statement rather than by
# COMMIT where the driver needs it: the Data API driver lets a failed CommitTransaction escape
# as a botocore error, without the DB-API error class. psycopg reports a failed COMMIT like any
# statement, so it spares the extra round trip.
_CHECK_DEFERRED = text("SET CONSTRAINTS ALL IMMEDIATE")


_DIRECT: weakref.WeakKeyDictionary[Engine, DirectExecutor] = weakref.WeakKeyDictionary()


def direct_executor(engine: Engine) -> DirectExecutor | None:
    """The engine's direct executor (psycopg only), shared by all its sessions."""
    if engine.dialect.driver != "psycopg":
        return None
    executor = _DIRECT.get(engine)
    if executor is None:
        executor = _DIRECT[engine] = DirectExecutor(engine.dialect)
    return executor


class SqlSession:
    """A connection from the engine's pool and the transaction on it, both made on first use,
    so a unit of work that only reads from staged writes never touches the database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._wrote = False
        self._check_deferred = getattr(engine.dialect, "checks_deferred_before_commit", False)
        self._direct = direct_executor(engine)

    def execute(self, statement: Executable, parameters: Parameters | None = None) -> Any:
        """A result with `first()`, `scalar()`, `scalar_one()`, `scalars()`, `all()` and
        iteration over rows that have their columns as attributes."""
        if self._connection is None:
            self._connection = self._engine.connect()
        if self._direct is not None:
            try:
                return self._direct.execute(self._driver(), statement, parameters)
            except psycopg.Error as error:
                raise translate(error) from error
        self._wrote = self._wrote or statement.is_dml
        try:
            return self._connection.execute(statement, parameters)
        except DBAPIError as error:
            raise translate(error) from error

    def commit(self) -> None:
        if self._connection is None:
            return
        try:
            if self._direct is not None:
                self._driver().commit()
                return
            if self._wrote and self._check_deferred:
                self._connection.execute(_CHECK_DEFERRED)
            self._connection.commit()
        except (DBAPIError, psycopg.Error) as error:
            raise translate(error) from error
        finally:
            self.close()

    def rollback(self) -> None:
        if self._connection is not None:
            try:
                if self._direct is not None:
                    self._driver().rollback()
                else:
                    self._connection.rollback()
            finally:
                self.close()

    def _driver(self) -> psycopg.Connection[Any]:
        # The pooled connection's psycopg connection: the direct path keeps its transaction
        # there (psycopg opens one at the first statement), so it commits there too.
        assert self._connection is not None
        return self._connection.connection.driver_connection  # type: ignore[return-value]

    def close(self) -> None:
        self._wrote = False
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()
