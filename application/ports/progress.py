"""Progress ports: telling whoever watches an order what just happened to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol, runtime_checkable

from domain.events import OrderEvent
from domain.ids import OrderId


class ProgressPublisher(Protocol):
    """Publishes order events after their transaction committed.

    Best effort and never raises: a customer's payment must not fail because nobody, or a
    broken connection, was listening.
    """

    def publish(self, events: Sequence[OrderEvent]) -> None: ...


@runtime_checkable  # the HTTP layer's dependency checks need isinstance
class ProgressFeed(Protocol):
    """Subscribes to one order's events as they are published."""

    def subscribe(
        self, order_id: OrderId
    ) -> AbstractAsyncContextManager[AsyncIterator[OrderEvent]]: ...
