"""WS /api/upgrades/{id}/events: an order's progress, live.

On connect the client gets the order as it is now (so a reload resumes correctly), then one
message per event (quoted, payment_processing, payment_declined, payment_succeeded, confirmed,
email_sent, cancelled, expired...), each with the order as it is after that event.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from uuid import UUID

import anyio
import msgspec
from litestar import WebSocket, websocket
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath

from application.ports.clock import Clock
from domain.errors import DomainError
from domain.events import OrderEvent
from domain.ids import OrderId
from entrypoints.http.dependencies import Services
from entrypoints.http.schemas import order_out

CLOSE_NOT_FOUND = 4404
CLOSE_FORBIDDEN = 4403


def _message(kind: str, event: str | None, at: datetime, order: Any) -> str:
    return msgspec.json.encode({"type": kind, "event": event, "at": at, "order": order}).decode()


@websocket("/api/upgrades/{order_id:uuid}/events", operation_id="orderEvents")
async def order_events(
    socket: WebSocket[Any, Any, Any],
    order_id: FromPath[UUID],
    services: NamedDependency[Services],
) -> None:
    get_order, progress_feed, clock = services.get_order, services.progress_feed, services.clock
    try:
        customer_id = await sync_to_thread(services.customer_id, socket.user)
    except DomainError:
        await socket.close(code=CLOSE_FORBIDDEN, reason="no customer account")
        return
    order_ref = OrderId(order_id)

    async def snapshot() -> Any:
        return order_out(await sync_to_thread(get_order, customer_id, order_ref))

    try:
        await snapshot()  # the customer's own order, or a close before accepting
    except DomainError:
        await socket.close(code=CLOSE_NOT_FOUND, reason="order not found")
        return
    await socket.accept()
    # Subscribe, then read the snapshot: a change landing in between is both in the snapshot
    # and among the events (sent twice, harmless), never in neither (lost until a reload).
    async with progress_feed.subscribe(order_ref) as events:
        current = await snapshot()
        await socket.send_data(_message("snapshot", None, clock.now(), current), mode="text")
        async with anyio.create_task_group() as group:
            group.start_soon(_until_disconnect, socket, group.cancel_scope)
            await _forward(socket, events, snapshot, clock, current)
            group.cancel_scope.cancel()


async def _forward(
    socket: WebSocket[Any, Any, Any],
    events: AsyncIterator[OrderEvent],
    snapshot: Any,
    clock: Clock,
    current: Any,
) -> None:
    """Send each event with the order after it; announce the expiry of a quote nobody paid."""
    while True:
        deadline = None
        if current.status == "pending":
            deadline = max(0.0, (current.expires_at - clock.now()).total_seconds()) + 0.05
        event: OrderEvent | None = None
        with anyio.move_on_after(deadline):
            event = await events.__anext__()
        current = await snapshot()
        name = (
            event.name
            if event is not None
            else ("expired" if current.status == "expired" else None)
        )
        if name is not None:
            at = event.at if event is not None else clock.now()
            await socket.send_data(_message("event", name, at, current), mode="text")
        if event is None and current.status == "expired":
            return


async def _until_disconnect(socket: WebSocket[Any, Any, Any], scope: anyio.CancelScope) -> None:
    try:
        while True:
            await socket.receive_data(mode="text")
    except WebSocketDisconnect:
        scope.cancel()
