"""Tickets in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, update

from adapters.sql.session import SqlSession
from adapters.sql.staging import Staged, only
from adapters.sql.tables import tickets
from domain.ids import CustomerId, TicketId
from domain.money import Money
from domain.tickets import Ticket, TicketNumber, TicketStatus
from domain.tiers import Tier

_C = tickets.c
_SELECT = select(tickets)
_BY_ID = _SELECT.where(_C.id == bindparam("id"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()
_ID_BY_NUMBER = select(_C.id).where(_C.number == bindparam("number"))
_BY_NUMBER = _SELECT.where(_C.number == bindparam("number"))
_BY_NUMBER_FOR_UPDATE = _BY_NUMBER.with_for_update()
_OF_CUSTOMER = _SELECT.where(_C.customer_id == bindparam("customer_id")).order_by(
    _C.visit_date, _C.number
)
_INSERT = insert(tickets)
_MUTABLE = ("tier", "visit_date", "price_paid", "currency", "status", "updated_at")
_UPDATE = (
    update(tickets)
    .where(_C.id == bindparam("key"))
    .values({name: bindparam(name) for name in _MUTABLE})
)


def to_row(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "number": ticket.number.value,
        "customer_id": ticket.customer_id,
        "tier": ticket.tier.value,
        "visit_date": ticket.visit_date,
        "price_paid": ticket.price_paid.amount,
        "currency": ticket.price_paid.currency,
        "status": ticket.status.value,
        "purchased_at": ticket.purchased_at,
        "updated_at": ticket.updated_at,
    }


def from_row(row: Row[Any]) -> Ticket:
    return Ticket(
        id=TicketId(row.id),
        number=TicketNumber(row.number),
        customer_id=CustomerId(row.customer_id),
        tier=Tier(row.tier),
        visit_date=row.visit_date,
        price_paid=Money(Decimal(row.price_paid), row.currency),
        status=TicketStatus(row.status),
        purchased_at=row.purchased_at,
        updated_at=row.updated_at,
    )


class SqlTicketRepository:
    def __init__(self, session: SqlSession) -> None:
        self._session = session
        self._staged: Staged[TicketId, Ticket] = Staged()

    def get(self, ticket_id: TicketId) -> Ticket | None:
        return self._staged.get(ticket_id) or self._one(_BY_ID, {"id": ticket_id})

    def get_for_update(self, ticket_id: TicketId) -> Ticket | None:
        locked = self._one(_BY_ID_FOR_UPDATE, {"id": ticket_id})
        return self._staged.get(ticket_id) or locked

    def by_number(self, number: TicketNumber) -> Ticket | None:
        staged = next((t for t in self._staged if t.number == number), None)
        return staged or self._one(_BY_NUMBER, {"number": number.value})

    def by_number_for_update(self, number: TicketNumber) -> Ticket | None:
        locked = self._one(_BY_NUMBER_FOR_UPDATE, {"number": number.value})
        staged = next((t for t in self._staged if t.number == number), None)
        return staged or locked

    def id_for_number(self, number: TicketNumber) -> TicketId | None:
        staged = next((t.id for t in self._staged if t.number == number), None)
        if staged is not None:
            return staged
        found = self._session.execute(_ID_BY_NUMBER, {"number": number.value}).scalar()
        return TicketId(found) if found is not None else None

    def list_for_customer(self, customer_id: CustomerId) -> Sequence[Ticket]:
        rows = self._session.execute(_OF_CUSTOMER, {"customer_id": customer_id})
        found = {ticket.id: ticket for ticket in map(from_row, rows)}
        found.update((t.id, t) for t in self._staged if t.customer_id == customer_id)
        return list(found.values())

    def add(self, ticket: Ticket) -> None:
        self._staged.add(ticket.id, ticket)

    def save(self, ticket: Ticket) -> None:
        self._staged.save(ticket.id, ticket)

    def flush(self) -> None:
        if inserts := self._staged.inserts():
            self._session.execute(_INSERT, [to_row(t) for t in inserts])
        if updates := self._staged.updates():
            self._session.execute(_UPDATE, [only(to_row(t), _MUTABLE, t.id) for t in updates])
        self._staged.clear()

    def _one(self, statement: Any, parameters: dict[str, Any]) -> Ticket | None:
        row = self._session.execute(statement, parameters).first()
        return from_row(row) if row is not None else None

    def discard(self) -> None:
        self._staged.clear()
