"""Clocks: the system's, and a fixed one that tests and demos move by hand."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to. Thread-safe."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a clock keeps aware datetimes")
        self._at = at.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def advance(self, by: timedelta) -> None:
        with self._lock:
            self._at += by

    def set(self, at: datetime) -> None:
        with self._lock:
            self._at = at.astimezone(UTC)
