"""The email outbox in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, bindparam, insert, select, update

from adapters.sql.session import SqlSession
from adapters.sql.staging import Staged, only
from adapters.sql.tables import outbox
from application.outbox import DeliveryStatus, EmailKind, EmailMessage, OutboxMessage
from domain.ids import CustomerId, OrderId

_C = outbox.c
_DUE = (
    select(_C.id)
    .where(_C.status == DeliveryStatus.PENDING.value, _C.next_attempt_at <= bindparam("now"))
    .order_by(_C.created_at, _C.id)
    .limit(bindparam("limit"))
)
_STUCK = (
    select(_C.id)
    .where(_C.status == DeliveryStatus.SENDING.value, _C.claimed_at <= bindparam("before"))
    .order_by(_C.claimed_at)
    .limit(bindparam("limit"))
)
_BY_ID_FOR_UPDATE = select(outbox).where(_C.id == bindparam("id")).with_for_update()
_OF_ORDER = (
    select(outbox).where(_C.order_id == bindparam("order_id")).order_by(_C.created_at, _C.id)
)
_INSERT = insert(outbox)
_MUTABLE = ("status", "attempts", "next_attempt_at", "claimed_at", "sent_at", "last_error")
_UPDATE = (
    update(outbox).where(_C.id == bindparam("key")).values({n: bindparam(n) for n in _MUTABLE})
)


def to_row(message: OutboxMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": message.kind.value,
        "order_id": message.order_id,
        "customer_id": message.customer_id,
        "recipient": message.message.to,
        "subject": message.message.subject,
        "body_text": message.message.text,
        "body_html": message.message.html,
        "status": message.status.value,
        "attempts": message.attempts,
        "created_at": message.created_at,
        "next_attempt_at": message.next_attempt_at,
        "claimed_at": message.claimed_at,
        "sent_at": message.sent_at,
        "last_error": message.last_error,
    }


def from_row(row: Row[Any]) -> OutboxMessage:
    return OutboxMessage(
        message=EmailMessage(row.id, row.recipient, row.subject, row.body_text, row.body_html),
        kind=EmailKind(row.kind),
        order_id=OrderId(row.order_id) if row.order_id else None,
        customer_id=CustomerId(row.customer_id) if row.customer_id else None,
        status=DeliveryStatus(row.status),
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        attempts=row.attempts,
        claimed_at=row.claimed_at,
        sent_at=row.sent_at,
        last_error=row.last_error,
    )


class SqlOutboxRepository:
    def __init__(self, session: SqlSession) -> None:
        self._session = session
        self._staged: Staged[UUID, OutboxMessage] = Staged()

    def add(self, message: OutboxMessage) -> None:
        self._staged.add(message.id, message)

    def save(self, message: OutboxMessage) -> None:
        self._staged.save(message.id, message)

    def due(self, now: datetime, limit: int) -> Sequence[UUID]:
        return list(self._session.execute(_DUE, {"now": now, "limit": limit}).scalars())

    def stuck(self, claimed_before: datetime, limit: int) -> Sequence[UUID]:
        rows = self._session.execute(_STUCK, {"before": claimed_before, "limit": limit})
        return list(rows.scalars())

    def get_for_update(self, message_id: UUID) -> OutboxMessage | None:
        row = self._session.execute(_BY_ID_FOR_UPDATE, {"id": message_id}).first()
        staged = self._staged.get(message_id)
        return staged or (from_row(row) if row is not None else None)

    def for_order(self, order_id: OrderId) -> Sequence[OutboxMessage]:
        rows = self._session.execute(_OF_ORDER, {"order_id": order_id})
        found = {m.id: m for m in map(from_row, rows)}
        found.update((m.id, m) for m in self._staged if m.order_id == order_id)
        return list(found.values())

    def flush(self) -> None:
        if inserts := self._staged.inserts():
            self._session.execute(_INSERT, [to_row(m) for m in inserts])
        if updates := self._staged.updates():
            self._session.execute(_UPDATE, [only(to_row(m), _MUTABLE, m.id) for m in updates])
        self._staged.clear()

    def discard(self) -> None:
        self._staged.clear()
