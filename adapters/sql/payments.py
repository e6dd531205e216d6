"""The payment ledger in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Row, bindparam, insert, select, update

from adapters.sql.session import SqlSession
from adapters.sql.staging import Staged, only
from adapters.sql.tables import payment_attempts, upgrade_orders
from application.payments import AttemptKind, AttemptOutcome, PaymentAttempt
from domain.ids import OrderId, TicketId
from domain.money import Money

_C = payment_attempts.c
_OF_ORDER = (
    select(payment_attempts).where(_C.order_id == bindparam("order_id")).order_by(_C.attempt)
)
_BY_KEY = select(payment_attempts).where(_C.idempotency_key == bindparam("key"))
_UNSETTLED = (
    select(payment_attempts)
    .where(_C.outcome == AttemptOutcome.STARTED.value, _C.created_at < bindparam("before"))
    .order_by(_C.created_at)
    .limit(bindparam("limit"))
)
_REFUND_PENDING = (
    select(payment_attempts.c.id)
    .join(upgrade_orders, upgrade_orders.c.id == _C.order_id)
    .where(
        _C.outcome == AttemptOutcome.STARTED.value,  # the partial index of unsettled attempts
        _C.kind == AttemptKind.REFUND.value,
        upgrade_orders.c.ticket_id == bindparam("ticket"),
    )
    .limit(1)
)
_INSERT = insert(payment_attempts)
_MUTABLE = ("outcome", "charge_id", "decline_code", "refund_id", "updated_at")
_UPDATE = (
    update(payment_attempts)
    .where(_C.id == bindparam("key"))
    .values({name: bindparam(name) for name in _MUTABLE})
)


def to_row(attempt: PaymentAttempt) -> dict[str, Any]:
    return {
        "id": attempt.id,
        "order_id": attempt.order_id,
        "attempt": attempt.attempt,
        "idempotency_key": attempt.idempotency_key,
        "amount": attempt.amount.amount,
        "currency": attempt.amount.currency,
        "brand": attempt.brand,
        "last4": attempt.last4,
        "outcome": attempt.outcome.value,
        "charge_id": attempt.charge_id,
        "decline_code": attempt.decline_code,
        "created_at": attempt.created_at,
        "updated_at": attempt.updated_at,
        "kind": attempt.kind.value,
        "refund_id": attempt.refund_id,
    }


def from_row(row: Row[Any]) -> PaymentAttempt:
    return PaymentAttempt(
        id=row.id,
        order_id=OrderId(row.order_id),
        attempt=row.attempt,
        idempotency_key=row.idempotency_key,
        amount=Money(Decimal(row.amount), row.currency),
        brand=row.brand,
        last4=row.last4,
        outcome=AttemptOutcome(row.outcome),
        created_at=row.created_at,
        updated_at=row.updated_at,
        charge_id=row.charge_id,
        decline_code=row.decline_code,
        kind=AttemptKind(row.kind),
        refund_id=row.refund_id,
    )


class SqlPaymentAttemptRepository:
    def __init__(self, session: SqlSession) -> None:
        self._session = session
        self._staged: Staged[UUID, PaymentAttempt] = Staged()

    def add(self, attempt: PaymentAttempt) -> None:
        self._staged.add(attempt.id, attempt)

    def save(self, attempt: PaymentAttempt) -> None:
        self._staged.save(attempt.id, attempt)

    def for_order(self, order_id: OrderId) -> Sequence[PaymentAttempt]:
        found = {
            a.id: a for a in map(from_row, self._session.execute(_OF_ORDER, {"order_id": order_id}))
        }
        found.update((a.id, a) for a in self._staged if a.order_id == order_id)
        return sorted(found.values(), key=lambda attempt: attempt.attempt)

    def by_key(self, idempotency_key: str) -> PaymentAttempt | None:
        staged = next((a for a in self._staged if a.idempotency_key == idempotency_key), None)
        if staged is not None:
            return staged
        row = self._session.execute(_BY_KEY, {"key": idempotency_key}).first()
        return from_row(row) if row is not None else None

    def unsettled(self, started_before: datetime, limit: int) -> Sequence[PaymentAttempt]:
        rows = self._session.execute(_UNSETTLED, {"before": started_before, "limit": limit})
        return [from_row(row) for row in rows]

    def refund_pending_for_ticket(self, ticket_id: TicketId) -> bool:
        return self._session.execute(_REFUND_PENDING, {"ticket": ticket_id}).first() is not None

    def flush(self) -> None:
        if inserts := self._staged.inserts():
            self._session.execute(_INSERT, [to_row(a) for a in inserts])
        if updates := self._staged.updates():
            self._session.execute(_UPDATE, [only(to_row(a), _MUTABLE, a.id) for a in updates])
        self._staged.clear()

    def discard(self) -> None:
        self._staged.clear()
