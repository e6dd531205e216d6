"""The in-memory unit of work and its repositories."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Self
from uuid import UUID

from adapters.memory.store import CapacityKey, Changes, MemoryStore, clone
from application.audit import AuditEntry
from application.outbox import OutboxMessage
from application.payments import AttemptKind, PaymentAttempt
from domain.capacity import DailyCapacity
from domain.customers import Customer, EmailAddress
from domain.ids import CustomerId, OrderId, TicketId
from domain.orders import UpgradeOrder
from domain.tickets import Ticket, TicketNumber
from domain.tiers import Tier


class MemoryUnitOfWork:
    """A transaction over the `MemoryStore`: private writes, row locks, all-or-nothing commit."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.changes = Changes()
        self._owner = object()
        self._locked: list[Hashable] = []
        self.customers = MemoryCustomerRepository(self)
        self.tickets = MemoryTicketRepository(self)
        self.orders = MemoryOrderRepository(self)
        self.capacity = MemoryCapacityRepository(self)
        self.payments = MemoryPaymentAttemptRepository(self)
        self.outbox = MemoryOutboxRepository(self)
        self.audit = MemoryAuditLog(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.rollback()

    def lock(self, table: str, key: Hashable, what: str) -> None:
        lock_key = (table, key)
        self.store.locks.acquire(lock_key, self._owner, what)
        self._locked.append(lock_key)

    def commit(self) -> None:
        try:
            self.store.commit(self.changes)
        finally:
            self.changes = Changes()
            self._release()

    def rollback(self) -> None:
        self.changes = Changes()
        self._release()

    def _release(self) -> None:
        if self._locked:
            self.store.locks.release(self._locked, self._owner)
            self._locked = []


class MemoryCustomerRepository:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def get(self, customer_id: CustomerId) -> Customer | None:
        written = self._uow.changes.customers.get(customer_id)
        if written is not None:
            return written
        stored = self._store.customers.get(customer_id)
        return clone(stored) if stored is not None else None

    def get_for_update(self, customer_id: CustomerId) -> Customer | None:
        self._uow.lock("customer", customer_id, "your account")
        return self.get(customer_id)

    def by_subject(self, subject: str) -> Customer | None:
        return self._find(
            lambda c: c.subject == subject, self._store.customer_by_subject.get(subject)
        )

    def by_email(self, email: EmailAddress) -> Customer | None:
        return self._find(
            lambda c: c.email == email, self._store.customer_by_email.get(email.value)
        )

    def _find(
        self, matches: Callable[[Customer], bool], committed_id: CustomerId | None
    ) -> Customer | None:
        # Read your own writes: this transaction's customers first, then the committed index,
        # whose entry may be stale for a customer this transaction changed.
        for customer in self._uow.changes.customers.values():
            if matches(customer):
                return customer
        found = self.get(committed_id) if committed_id is not None else None
        return found if found is not None and matches(found) else None

    def add(self, customer: Customer) -> None:
        self._uow.changes.customers[customer.id] = customer

    save = add


class MemoryTicketRepository:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def get(self, ticket_id: TicketId) -> Ticket | None:
        written = self._uow.changes.tickets.get(ticket_id)
        if written is not None:
            return written
        stored = self._store.tickets.get(ticket_id)
        return clone(stored) if stored is not None else None

    def get_for_update(self, ticket_id: TicketId) -> Ticket | None:
        self._uow.lock("ticket", ticket_id, "this ticket")
        return self.get(ticket_id)

    def by_number(self, number: TicketNumber) -> Ticket | None:
        ticket_id = self.id_for_number(number)
        return self.get(ticket_id) if ticket_id is not None else None

    def by_number_for_update(self, number: TicketNumber) -> Ticket | None:
        ticket_id = self.id_for_number(number)
        return self.get_for_update(ticket_id) if ticket_id is not None else None

    def id_for_number(self, number: TicketNumber) -> TicketId | None:
        for ticket in self._uow.changes.tickets.values():  # read your own writes
            if ticket.number == number:
                return ticket.id
        return self._store.ticket_by_number.get(number.value)

    def list_for_customer(self, customer_id: CustomerId) -> Sequence[Ticket]:
        ids = list(self._store.tickets_by_customer.get(customer_id, ()))
        ids += [
            t.id
            for t in self._uow.changes.tickets.values()
            if t.customer_id == customer_id and t.id not in ids
        ]
        return [ticket for ticket in map(self.get, ids) if ticket is not None]

    def add(self, ticket: Ticket) -> None:
        self._uow.changes.tickets[ticket.id] = ticket

    save = add


class MemoryOrderRepository:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def get(self, order_id: OrderId) -> UpgradeOrder | None:
        written = self._uow.changes.orders.get(order_id)
        if written is not None:
            return written
        stored = self._store.orders.get(order_id)
        return clone(stored) if stored is not None else None

    def get_for_update(self, order_id: OrderId) -> UpgradeOrder | None:
        self._uow.lock("order", order_id, "this order")
        return self.get(order_id)

    def list_for_customer(self, customer_id: CustomerId) -> Sequence[UpgradeOrder]:
        ids = list(self._store.orders_by_customer.get(customer_id, ()))
        ids += [
            o.id
            for o in self._uow.changes.orders.values()
            if o.customer_id == customer_id and o.id not in ids
        ]
        return [order for order in map(self.get, ids) if order is not None]

    def live_for_ticket(self, ticket_id: TicketId, now: datetime) -> UpgradeOrder | None:
        ids = list(self._store.orders_by_ticket.get(ticket_id, ()))
        ids += [
            o.id
            for o in self._uow.changes.orders.values()
            if o.ticket_id == ticket_id and o.id not in ids
        ]
        for order_id in ids:
            order = self.get(order_id)
            if order is not None and order.holds_capacity(now):
                return order
        return None

    def add(self, order: UpgradeOrder) -> None:
        self._uow.changes.orders[order.id] = order

    save = add


class MemoryCapacityRepository:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def lock(self, tier: Tier, day: date, capacity: int, now: datetime) -> DailyCapacity:
        key: CapacityKey = (tier, day)
        self._uow.lock("capacity", key, f"{tier.key} on {day.isoformat()}")
        sold = self._uow.changes.sold.get(key, self._store.sold.get(key, 0))
        return DailyCapacity(tier, day, capacity, sold, self._store.live_holds(key, now))

    def usage(
        self, keys: Iterable[tuple[Tier, date]], now: datetime
    ) -> Mapping[tuple[Tier, date], tuple[int, int]]:
        sold, live_holds = self._store.sold, self._store.live_holds
        return {key: (sold.get(key, 0), live_holds(key, now)) for key in keys}

    def save(self, usage: DailyCapacity) -> None:
        self._uow.changes.sold[(usage.tier, usage.day)] = usage.sold


class MemoryPaymentAttemptRepository:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def add(self, attempt: PaymentAttempt) -> None:
        self._uow.changes.payments[attempt.id] = attempt

    save = add

    def for_order(self, order_id: OrderId) -> Sequence[PaymentAttempt]:
        found = {
            attempt_id: clone(self._store.payments[attempt_id])
            for attempt_id in self._store.payments_by_order.get(order_id, ())
        }
        found.update(
            (a.id, a) for a in self._uow.changes.payments.values() if a.order_id == order_id
        )
        return sorted(found.values(), key=lambda attempt: attempt.attempt)

    def by_key(self, idempotency_key: str) -> PaymentAttempt | None:
        for attempt in self._uow.changes.payments.values():
            if attempt.idempotency_key == idempotency_key:
                return attempt
        attempt_id = self._store.payment_by_key.get(idempotency_key)
        return clone(self._store.payments[attempt_id]) if attempt_id is not None else None

    def unsettled(self, started_before: datetime, limit: int) -> Sequence[PaymentAttempt]:
        found = []
        for attempt_id in tuple(self._store.payments_unsettled):  # a copy: commits may change it
            attempt = self._store.payments[attempt_id]
            if attempt.created_at < started_before:
                found.append(clone(attempt))
        found.sort(key=lambda attempt: attempt.created_at)
        return found[:limit]

    def refund_pending_for_ticket(self, ticket_id: TicketId) -> bool:
        for attempt_id in tuple(self._store.payments_unsettled):
            attempt = self._store.payments[attempt_id]
            order = self._store.orders.get(attempt.order_id)
            if attempt.kind is AttemptKind.REFUND and order and order.ticket_id == ticket_id:
                return True
        return False


class MemoryOutboxRepository:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def add(self, message: OutboxMessage) -> None:
        self._uow.changes.outbox[message.id] = message

    save = add

    def due(self, now: datetime, limit: int) -> Sequence[UUID]:
        due: list[UUID] = []
        for message_id in list(self._store.outbox_waiting):
            message = self._store.outbox.get(message_id)
            if message is not None and message.is_due(now):
                due.append(message_id)
                if len(due) >= limit:
                    break
        return due

    def stuck(self, claimed_before: datetime, limit: int) -> Sequence[UUID]:
        stuck = []
        for message_id in list(self._store.outbox_sending):
            message = self._store.outbox.get(message_id)
            if message is not None and message.claimed_at and message.claimed_at <= claimed_before:
                stuck.append(message_id)
        return stuck[:limit]

    def get_for_update(self, message_id: UUID) -> OutboxMessage | None:
        self._uow.lock("outbox", message_id, "an email")
        written = self._uow.changes.outbox.get(message_id)
        if written is not None:
            return written
        stored = self._store.outbox.get(message_id)
        return clone(stored) if stored is not None else None

    def for_order(self, order_id: OrderId) -> Sequence[OutboxMessage]:
        messages = [
            clone(self._store.outbox[mid]) for mid in self._store.outbox_by_order.get(order_id, ())
        ]
        return messages + [
            m
            for m in self._uow.changes.outbox.values()
            if m.order_id == order_id and m.id not in {x.id for x in messages}
        ]


class MemoryAuditLog:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def record(self, entry: AuditEntry) -> None:
        self._uow.changes.audit.append(entry)

    def for_entity(self, entity: str, entity_id: str) -> Sequence[AuditEntry]:
        return list(self._store.audit_by_entity.get((entity, entity_id), ()))
