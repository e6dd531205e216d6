"""The SQL unit of work: one database transaction over every repository."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine

from adapters.sql.audit import SqlAuditLog
from adapters.sql.capacity import SqlCapacityRepository
from adapters.sql.customers import SqlCustomerRepository
from adapters.sql.orders import SqlOrderRepository
from adapters.sql.outbox import SqlOutboxRepository
from adapters.sql.payments import SqlPaymentAttemptRepository
from adapters.sql.session import SqlSession
from adapters.sql.tickets import SqlTicketRepository


class SqlUnitOfWork:
    """Reads and locks go to the database as they happen; writes are sent at commit, in the
    order the foreign keys need, so every uniqueness rule is decided at commit (as in the
    memory store) and a failed commit writes nothing. Locks wait at most the connection's
    lock_timeout and then raise BusyError."""

    def __init__(self, engine: Engine, capacity_lock: bool = True) -> None:
        self._session = SqlSession(engine)
        self.customers = SqlCustomerRepository(self._session)
        self.tickets = SqlTicketRepository(self._session)
        self.orders = SqlOrderRepository(self._session)
        self.capacity = SqlCapacityRepository(self._session, lock=capacity_lock)
        self.payments = SqlPaymentAttemptRepository(self._session)
        self.outbox = SqlOutboxRepository(self._session)
        self.audit = SqlAuditLog(self._session)
        self._flush_order = (
            self.customers,
            self.tickets,
            self.orders,
            self.capacity,
            self.payments,
            self.outbox,
            self.audit,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        try:
            for repository in self._flush_order:
                repository.flush()
            self._session.commit()
        except BaseException:
            self.rollback()
            raise

    def rollback(self) -> None:
        for repository in self._flush_order:
            repository.discard()
        self._session.rollback()
