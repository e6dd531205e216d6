"""An in-process hub: events published from any thread reach asyncio subscribers of the order."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from application.ports.progress import ProgressPublisher
from domain.events import OrderEvent
from domain.ids import OrderId

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[OrderEvent] = field(default_factory=lambda: asyncio.Queue(maxsize=256))


class InMemoryProgressHub:
    """Fan-out of order events to WebSocket handlers of this process.

    Publishing never blocks or raises: a subscriber whose queue is full loses the event (it
    still gets the order's state when it reconnects).
    """

    def __init__(self) -> None:
        self._subscribers: defaultdict[OrderId, set[_Subscriber]] = defaultdict(set)
        self._lock = threading.Lock()

    def publish(self, events: Sequence[OrderEvent]) -> None:
        for event in events:
            with self._lock:
                subscribers = list(self._subscribers.get(event.order_id, ()))
            for subscriber in subscribers:
                try:
                    subscriber.loop.call_soon_threadsafe(self._deliver, subscriber, event)
                except RuntimeError:  # its loop is closed: the connection is gone
                    log.debug("dropped an event for a closed subscriber")

    @staticmethod
    def _deliver(subscriber: _Subscriber, event: OrderEvent) -> None:
        try:
            subscriber.queue.put_nowait(event)
        except asyncio.QueueFull:
            log.warning(
                "progress subscriber too slow; an event was dropped",
                extra={"order_id": str(event.order_id), "event": event.name},
            )

    @asynccontextmanager
    async def subscribe(self, order_id: OrderId) -> AsyncIterator[AsyncIterator[OrderEvent]]:
        subscriber = _Subscriber(asyncio.get_running_loop())
        with self._lock:
            self._subscribers[order_id].add(subscriber)
        try:
            yield self._events(subscriber)
        finally:
            with self._lock:
                watchers = self._subscribers.get(order_id)
                if watchers is not None:
                    watchers.discard(subscriber)
                    if not watchers:
                        del self._subscribers[order_id]

    @staticmethod
    async def _events(subscriber: _Subscriber) -> AsyncIterator[OrderEvent]:
        while True:
            yield await subscriber.queue.get()


class FanOutPublisher:
    """Publishes to several publishers; one failing does not stop the others."""

    def __init__(self, *publishers: ProgressPublisher) -> None:
        self._publishers = publishers

    def publish(self, events: Sequence[OrderEvent]) -> None:
        for publisher in self._publishers:
            try:
                publisher.publish(events)
            except Exception:
                log.exception("a progress publisher failed")
