"""One database transaction: opened at its first statement, errors translated on the way out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, Executable
from sqlalchemy.exc import DBAPIError

from adapters.sql.errors import translate

Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]]


class SqlSession:
    """A connection from the engine's pool and the transaction on it, both made on first use,
    so a unit of work that only reads from staged writes never touches the database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None

    def execute(
        self,
        statement: Executable,
        parameters: Parameters | None = None,
    ) -> CursorResult[Any]:
        if self._connection is None:
            self._connection = self._engine.connect()
        try:
            return self._connection.execute(statement, parameters)
        except DBAPIError as error:
            raise translate(error) from error

    def commit(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.commit()
        except DBAPIError as error:  # deferred constraints are checked here
            raise translate(error) from error
        finally:
            self.close()

    def rollback(self) -> None:
        if self._connection is not None:
            try:
                self._connection.rollback()
            finally:
                self.close()

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()
