"""The unit of work port."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from application.ports.repositories import (
    AuditLog,
    CapacityRepository,
    CustomerRepository,
    OrderRepository,
    OutboxRepository,
    PaymentAttemptRepository,
    TicketRepository,
)


class UnitOfWork(Protocol):
    """One transaction over every repository.

    Used as a context manager: leaving the block without `commit()` rolls everything back and
    releases every lock. `commit()` makes all writes visible at once or raises (a
    `ConflictError` for a broken uniqueness rule, `BusyError` for a lock timeout) and writes
    nothing. A unit of work is used once.
    """

    customers: CustomerRepository
    tickets: TicketRepository
    orders: OrderRepository
    capacity: CapacityRepository
    payments: PaymentAttemptRepository
    outbox: OutboxRepository
    audit: AuditLog

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
