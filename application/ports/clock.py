"""The clock port."""

from datetime import datetime
from typing import Protocol, runtime_checkable


@runtime_checkable  # the HTTP layer's dependency checks need isinstance
class Clock(Protocol):
    """The only reader of the current time.

    `now()` returns an aware datetime in UTC. Callers derive the park's "today" from it.
    """

    def now(self) -> datetime: ...
