"""Running the prebuilt Core statements on psycopg directly, for the hot path.

SQLAlchemy builds each statement's SQL once either way; what it still spends on every execution
(cache-key lookup, execution context, result metadata, row objects) is about a fifth of the
service's CPU per request on this machine. For psycopg the compiled SQL, its literal parameters
and its bind processors are kept per statement and run on a psycopg cursor. The Data API goes
through SQLAlchemy's dialect as usual. Both paths pass the same contract tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import Dialect, Executable
from sqlalchemy.sql.compiler import Compiled


@dataclass(frozen=True, slots=True)
class _Prepared:
    sql: str
    compiled: Compiled
    processors: Mapping[str, Callable[[Any], Any]]

    def parameters(self, given: Mapping[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = self.compiled.construct_params(dict(given))  # type: ignore[assignment]
        for name, process in self.processors.items():
            value = values.get(name)
            if value is not None:
                values[name] = process(value)
        return values


class DirectResult:
    """The few result methods the repositories use, over a psycopg cursor of named tuples."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        if len(self._rows) != 1:
            raise LookupError(f"expected one row, got {len(self._rows)}")
        return self._rows[0][0]

    def scalars(self) -> Iterator[Any]:
        return (row[0] for row in self._rows)

    def all(self) -> list[Any]:
        return self._rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


class DirectExecutor:
    """Compiles each (statement, parameter names) once for the dialect, then executes raw."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._prepared: dict[tuple[Executable, tuple[str, ...]], _Prepared] = {}

    def execute(
        self,
        connection: psycopg.Connection[Any],
        statement: Executable,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
    ) -> DirectResult:
        if parameters is None or isinstance(parameters, Mapping):
            sets: Sequence[Mapping[str, Any]] = [parameters or {}]
        else:
            sets = parameters
        prepared = self._prepare(statement, tuple(sets[0]) if sets else ())
        with connection.cursor(row_factory=namedtuple_row) as cursor:
            if len(sets) != 1:
                cursor.executemany(prepared.sql, [prepared.parameters(p) for p in sets])
                return DirectResult([])
            cursor.execute(prepared.sql, prepared.parameters(sets[0]))
            return DirectResult(cursor.fetchall() if cursor.description else [])

    def _prepare(self, statement: Executable, names: tuple[str, ...]) -> _Prepared:
        key = (statement, names)
        prepared = self._prepared.get(key)
        if prepared is None:
            compiled = statement.compile(dialect=self._dialect, column_keys=list(names))  # type: ignore[attr-defined]
            # SQLAlchemy keeps a compiled statement's bind processors (JSON encoding, for one)
            # in this attribute; it is not public API, so the contract tests guard this use.
            processors = {
                name: process
                for name, process in (compiled._bind_processors or {}).items()
                if isinstance(name, str)
            }
            prepared = self._prepared[key] = _Prepared(compiled.string, compiled, processors)
        return prepared
