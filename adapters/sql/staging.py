"""Writes kept until commit, so that uniqueness rules are checked when the transaction commits
(as the in-memory store does) and a transaction reads its own writes before they are sent."""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any, Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Record = TypeVar("Record")


def only(row: dict[str, Any], names: tuple[str, ...], key: Any) -> dict[str, Any]:
    """The columns an update may change, and the key of the row it changes."""
    return {name: row[name] for name in names} | {"key": key}


class Staged(Generic[Key, Record]):
    """One table's pending writes: records to insert (added) and records to update (saved)."""

    def __init__(self) -> None:
        self._records: dict[Key, Record] = {}
        self._new: set[Key] = set()

    def add(self, key: Key, record: Record) -> None:
        self._records[key] = record
        self._new.add(key)

    def save(self, key: Key, record: Record) -> None:
        self._records[key] = record  # a record added earlier in this transaction stays new

    def get(self, key: Key) -> Record | None:
        return self._records.get(key)

    def __iter__(self) -> Iterator[Record]:
        return iter(self._records.values())

    def inserts(self) -> list[Record]:
        return [record for key, record in self._records.items() if key in self._new]

    def updates(self) -> list[Record]:
        return [record for key, record in self._records.items() if key not in self._new]

    def clear(self) -> None:
        self._records.clear()
        self._new.clear()
