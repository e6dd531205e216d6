"""Row locks with a timeout, like a database's FOR UPDATE with lock_timeout."""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable, Iterable

from application.errors import BusyError


class RowLocks:
    """Exclusive locks on keys, held by a transaction until it ends.

    Re-entrant per owner (taking a lock you hold is free). A wait longer than `timeout` seconds
    raises `BusyError`, as PostgreSQL's lock_timeout would.
    """

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._owners: dict[Hashable, object] = {}
        self._changed = threading.Condition(threading.Lock())

    def acquire(self, key: Hashable, owner: object, what: str) -> None:
        deadline = time.monotonic() + self._timeout
        with self._changed:
            while True:
                holder = self._owners.get(key)
                if holder is None or holder is owner:
                    self._owners[key] = owner
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BusyError(what)
                self._changed.wait(remaining)

    def release(self, keys: Iterable[Hashable], owner: object) -> None:
        with self._changed:
            for key in keys:
                if self._owners.get(key) is owner:
                    del self._owners[key]
            self._changed.notify_all()
