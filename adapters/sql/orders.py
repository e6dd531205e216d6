"""Upgrade orders in SQL. `live_until` is derived here from the order's state, for the
database's one-live-hold-per-ticket constraint and for counting holds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, update

from adapters.sql.session import SqlSession
from adapters.sql.staging import Staged, only
from adapters.sql.tables import upgrade_orders
from domain.confirmation import ConfirmationCode
from domain.ids import CustomerId, OrderId, TicketId
from domain.money import Money
from domain.orders import OrderStatus, PaymentRecord, UpgradeOrder
from domain.tickets import TicketNumber
from domain.tiers import Tier

# "Forever" for a payment in flight; a real instant, because drivers cannot read 'infinity'.
FOREVER = datetime(9999, 12, 31, tzinfo=UTC)

_C = upgrade_orders.c
_SELECT = select(upgrade_orders)
_BY_ID = _SELECT.where(_C.id == bindparam("id"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()
_OF_CUSTOMER = _SELECT.where(_C.customer_id == bindparam("customer_id")).order_by(_C.created_at)
_LIVE_FOR_TICKET = (
    _SELECT.where(_C.ticket_id == bindparam("ticket_id"), _C.live_until > bindparam("now"))
    .order_by(_C.created_at.desc())
    .limit(1)
)
_INSERT = insert(upgrade_orders)
_MUTABLE = (
    "status",
    "updated_at",
    "live_until",
    "attempts",
    "declines",
    "last_decline_code",
    "payment_id",
    "payment_brand",
    "payment_last4",
    "confirmation_code",
    "confirmed_at",
)
_UPDATE = (
    update(upgrade_orders)
    .where(_C.id == bindparam("key"))
    .values({name: bindparam(name) for name in _MUTABLE})
)


def live_until(order: UpgradeOrder) -> datetime:
    """Until when the order holds its unit (DOMAIN.md: a payment in flight holds it whatever
    the quote's expiry; an ended order stopped holding when it ended)."""
    if order.status is OrderStatus.PROCESSING:
        return FOREVER
    if order.status is OrderStatus.PENDING:
        return order.expires_at
    return max(order.created_at, order.updated_at)


def to_row(order: UpgradeOrder) -> dict[str, Any]:
    payment = order.payment
    return {
        "id": order.id,
        "customer_id": order.customer_id,
        "ticket_id": order.ticket_id,
        "ticket_number": order.ticket_number.value,
        "from_tier": order.from_tier.value,
        "from_date": order.from_date,
        "from_price_paid": order.from_price_paid.amount,
        "tier": order.tier.value,
        "visit_date": order.day,
        "price": order.price.amount,
        "amount_due": order.amount_due.amount,
        "currency": order.amount_due.currency,
        "status": order.status.value,
        "created_at": order.created_at,
        "expires_at": order.expires_at,
        "updated_at": order.updated_at,
        "live_until": live_until(order),
        "attempts": order.attempts,
        "declines": order.declines,
        "last_decline_code": order.last_decline_code,
        "payment_id": payment.payment_id if payment else None,
        "payment_brand": payment.brand if payment else None,
        "payment_last4": payment.last4 if payment else None,
        "confirmation_code": order.confirmation_code.value if order.confirmation_code else None,
        "confirmed_at": order.confirmed_at,
    }


def from_row(row: Row[Any]) -> UpgradeOrder:
    currency = row.currency
    payment = (
        PaymentRecord(row.payment_id, row.payment_brand, row.payment_last4)
        if row.payment_id is not None
        else None
    )
    return UpgradeOrder(
        id=OrderId(row.id),
        customer_id=CustomerId(row.customer_id),
        ticket_id=TicketId(row.ticket_id),
        ticket_number=TicketNumber(row.ticket_number),
        from_tier=Tier(row.from_tier),
        from_date=row.from_date,
        from_price_paid=Money(Decimal(row.from_price_paid), currency),
        tier=Tier(row.tier),
        day=row.visit_date,
        price=Money(Decimal(row.price), currency),
        amount_due=Money(Decimal(row.amount_due), currency),
        status=OrderStatus(row.status),
        created_at=row.created_at,
        expires_at=row.expires_at,
        updated_at=row.updated_at,
        attempts=row.attempts,
        declines=row.declines,
        last_decline_code=row.last_decline_code,
        payment=payment,
        confirmation_code=(
            ConfirmationCode(row.confirmation_code) if row.confirmation_code else None
        ),
        confirmed_at=row.confirmed_at,
    )


class SqlOrderRepository:
    def __init__(self, session: SqlSession) -> None:
        self._session = session
        self._staged: Staged[OrderId, UpgradeOrder] = Staged()

    def get(self, order_id: OrderId) -> UpgradeOrder | None:
        return self._staged.get(order_id) or self._one(_BY_ID, {"id": order_id})

    def get_for_update(self, order_id: OrderId) -> UpgradeOrder | None:
        locked = self._one(_BY_ID_FOR_UPDATE, {"id": order_id})
        return self._staged.get(order_id) or locked

    def list_for_customer(self, customer_id: CustomerId) -> Sequence[UpgradeOrder]:
        rows = self._session.execute(_OF_CUSTOMER, {"customer_id": customer_id})
        found = {order.id: order for order in map(from_row, rows)}
        found.update((o.id, o) for o in self._staged if o.customer_id == customer_id)
        return list(found.values())

    def live_for_ticket(self, ticket_id: TicketId, now: datetime) -> UpgradeOrder | None:
        for order in self._staged:
            if order.ticket_id == ticket_id and order.holds_capacity(now):
                return order
        found = self._one(_LIVE_FOR_TICKET, {"ticket_id": ticket_id, "now": now})
        if found is None:
            return None
        staged = self._staged.get(found.id)  # changed here, maybe no longer live
        return found if staged is None else None

    def add(self, order: UpgradeOrder) -> None:
        self._staged.add(order.id, order)

    def save(self, order: UpgradeOrder) -> None:
        self._staged.save(order.id, order)

    def flush(self) -> None:
        if inserts := self._staged.inserts():
            self._session.execute(_INSERT, [to_row(o) for o in inserts])
        if updates := self._staged.updates():
            self._session.execute(_UPDATE, [only(to_row(o), _MUTABLE, o.id) for o in updates])
        self._staged.clear()

    def _one(self, statement: Any, parameters: dict[str, Any]) -> UpgradeOrder | None:
        row = self._session.execute(statement, parameters).first()
        return from_row(row) if row is not None else None

    def discard(self) -> None:
        self._staged.clear()
