"""Customers in SQL: explicit row <-> domain mapping, statements built once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam, insert, select, update

from adapters.sql.session import SqlSession
from adapters.sql.staging import Staged, only
from adapters.sql.tables import customers
from domain.customers import Customer, EmailAddress
from domain.ids import CustomerId

_C = customers.c
_SELECT = select(customers)
_BY_ID = _SELECT.where(_C.id == bindparam("id"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()
_BY_SUBJECT = _SELECT.where(_C.subject == bindparam("subject"))
_BY_EMAIL = _SELECT.where(_C.email == bindparam("email"))
_INSERT = insert(customers)
_MUTABLE = ("email", "first_name", "last_name", "subject", "updated_at")
_UPDATE = (
    update(customers)
    .where(_C.id == bindparam("key"))
    .values({name: bindparam(name) for name in _MUTABLE})
)


def to_row(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "email": customer.email.value,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "subject": customer.subject,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def from_row(row: Row[Any]) -> Customer:
    return Customer(
        id=CustomerId(row.id),
        email=EmailAddress(row.email),
        first_name=row.first_name,
        last_name=row.last_name,
        subject=row.subject,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlCustomerRepository:
    def __init__(self, session: SqlSession) -> None:
        self._session = session
        self._staged: Staged[CustomerId, Customer] = Staged()

    def get(self, customer_id: CustomerId) -> Customer | None:
        return self._staged.get(customer_id) or self._one(_BY_ID, {"id": customer_id})

    def get_for_update(self, customer_id: CustomerId) -> Customer | None:
        locked = self._one(_BY_ID_FOR_UPDATE, {"id": customer_id})
        return self._staged.get(customer_id) or locked

    def by_subject(self, subject: str) -> Customer | None:
        staged = next((c for c in self._staged if c.subject == subject), None)
        if staged is not None:
            return staged
        found = self._one(_BY_SUBJECT, {"subject": subject})
        return self._unless_changed_here(found, lambda c: c.subject == subject)

    def by_email(self, email: EmailAddress) -> Customer | None:
        staged = next((c for c in self._staged if c.email == email), None)
        if staged is not None:
            return staged
        found = self._one(_BY_EMAIL, {"email": email.value})
        return self._unless_changed_here(found, lambda c: c.email == email)

    def add(self, customer: Customer) -> None:
        self._staged.add(customer.id, customer)

    def save(self, customer: Customer) -> None:
        self._staged.save(customer.id, customer)

    def flush(self) -> None:
        if inserts := self._staged.inserts():
            self._session.execute(_INSERT, [to_row(c) for c in inserts])
        if updates := self._staged.updates():
            self._session.execute(_UPDATE, [only(to_row(c), _MUTABLE, c.id) for c in updates])
        self._staged.clear()

    def _one(self, statement: Any, parameters: dict[str, Any]) -> Customer | None:
        row = self._session.execute(statement, parameters).first()
        return from_row(row) if row is not None else None

    def _unless_changed_here(self, found: Customer | None, matches: Any) -> Customer | None:
        # A customer this transaction changed answers by its new details only.
        if found is None:
            return None
        staged = self._staged.get(found.id)
        return found if staged is None or matches(staged) else None

    def discard(self) -> None:
        self._staged.clear()
