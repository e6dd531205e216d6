"""The committed state of the in-memory database, and the rules it enforces at commit."""

from __future__ import annotations

import dataclasses
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from adapters.memory.locks import RowLocks
from application.audit import AuditEntry
from application.outbox import DeliveryStatus, OutboxMessage
from application.payments import AttemptOutcome, PaymentAttempt
from application.ports.clock import Clock
from domain.customers import Customer
from domain.errors import ConflictError
from domain.ids import CustomerId, OrderId, TicketId
from domain.orders import OrderStatus, UpgradeOrder
from domain.tickets import Ticket
from domain.tiers import Tier

Entity = TypeVar("Entity")
CapacityKey = tuple[Tier, date]


def clone(entity: Entity) -> Entity:
    """A private copy: what a transaction changes stays invisible until it commits.

    Field by field rather than `copy.copy`, which goes through the pickle protocol for slotted
    classes at several times the cost; every stored record is a slotted dataclass whose fields
    are immutable values, so a shallow copy is a full one (but for an order's event list).
    """
    kind = type(entity)
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))  # type: ignore[arg-type]
    duplicate = object.__new__(kind)
    for name in names:
        object.__setattr__(duplicate, name, getattr(entity, name))
    if isinstance(duplicate, UpgradeOrder):
        duplicate.events = []
    return duplicate


_FIELDS: dict[type, tuple[str, ...]] = {}


@dataclass
class Changes:
    """What one transaction wrote, applied all at once at commit."""

    customers: dict[CustomerId, Customer] = field(default_factory=dict)
    tickets: dict[TicketId, Ticket] = field(default_factory=dict)
    orders: dict[OrderId, UpgradeOrder] = field(default_factory=dict)
    sold: dict[CapacityKey, int] = field(default_factory=dict)
    payments: dict[UUID, PaymentAttempt] = field(default_factory=dict)
    outbox: dict[UUID, OutboxMessage] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(
            (
                self.customers,
                self.tickets,
                self.orders,
                self.sold,
                self.payments,
                self.outbox,
                self.audit,
            )
        )


class MemoryStore:
    """Tables and indexes of committed records, shared by every unit of work of the process.

    Readers see only committed data (read committed); writers lock rows through `locks` and
    publish their changes atomically under `_commit_lock`, after the uniqueness rules a
    database would enforce with constraints.
    """

    def __init__(self, clock: Clock, lock_timeout: float = 3.0) -> None:
        self.clock = clock
        self.locks = RowLocks(lock_timeout)
        self._commit_lock = threading.Lock()
        self.customers: dict[CustomerId, Customer] = {}
        self.customer_by_email: dict[str, CustomerId] = {}
        self.customer_by_subject: dict[str, CustomerId] = {}
        self.tickets: dict[TicketId, Ticket] = {}
        self.ticket_by_number: dict[str, TicketId] = {}
        self.tickets_by_customer: defaultdict[CustomerId, list[TicketId]] = defaultdict(list)
        self.orders: dict[OrderId, UpgradeOrder] = {}
        self.orders_by_customer: defaultdict[CustomerId, list[OrderId]] = defaultdict(list)
        self.orders_by_ticket: defaultdict[TicketId, list[OrderId]] = defaultdict(list)
        self.order_by_code: dict[str, OrderId] = {}
        # (tier, date) -> {order id: hold expiry, or None while a payment is in flight}
        self.holds: defaultdict[CapacityKey, dict[OrderId, datetime | None]] = defaultdict(dict)
        self.sold: dict[CapacityKey, int] = {}
        self.payments: dict[UUID, PaymentAttempt] = {}
        self.payments_by_order: defaultdict[OrderId, list[UUID]] = defaultdict(list)
        self.payment_by_key: dict[str, UUID] = {}
        self.payments_unsettled: dict[UUID, None] = {}  # still `started`, oldest first
        self.outbox: dict[UUID, OutboxMessage] = {}
        self.outbox_by_order: defaultdict[OrderId, list[UUID]] = defaultdict(list)
        self.outbox_waiting: dict[UUID, None] = {}  # pending, in insertion order
        self.outbox_sending: dict[UUID, None] = {}
        self.audit: list[AuditEntry] = []
        self.audit_by_entity: defaultdict[tuple[str, str], list[AuditEntry]] = defaultdict(list)

    # -- reads ------------------------------------------------------------------------------

    def live_holds(self, key: CapacityKey, now: datetime) -> int:
        # tuple() copies in one step under the GIL: a commit in another thread may change the
        # dict, and iterating it directly could then fail mid-way.
        expiries = tuple(self.holds.get(key, {}).values())
        return sum(1 for expiry in expiries if expiry is None or expiry > now)

    # -- commit -----------------------------------------------------------------------------

    def commit(self, changes: Changes) -> None:
        if not changes:
            return
        with self._commit_lock:
            now = self.clock.now()
            self._check_constraints(changes, now)
            self._apply(changes, now)

    def _check_constraints(self, changes: Changes, now: datetime) -> None:
        for customer in changes.customers.values():
            for index, value in (
                (self.customer_by_email, customer.email.value),
                (self.customer_by_subject, customer.subject),
            ):
                owner = index.get(value)
                if owner is not None and owner != customer.id:
                    raise ConflictError(
                        "email_taken",
                        "An account with this email already exists.",
                        "Sign in instead, or use another email address.",
                    )
        for ticket in changes.tickets.values():
            owner_id = self.ticket_by_number.get(ticket.number.value)
            if owner_id is not None and owner_id != ticket.id:
                raise ConflictError("ticket_number_taken", f"{ticket.number} already exists.")
        for attempt in changes.payments.values():
            if self.payment_by_key.get(attempt.idempotency_key, attempt.id) != attempt.id:
                raise ConflictError("payment_key_taken", "That payment key was already used.")
        for order in changes.orders.values():
            code = order.confirmation_code
            if code is not None and self.order_by_code.get(code.value, order.id) != order.id:
                raise ConflictError("confirmation_code_taken", "That confirmation code is in use.")
            if order.holds_capacity(now):
                for other_id in self.orders_by_ticket.get(order.ticket_id, ()):
                    other = changes.orders.get(other_id) or self.orders[other_id]
                    if other_id != order.id and other.holds_capacity(now):
                        raise ConflictError(
                            "upgrade_in_progress",
                            "This ticket already has an upgrade waiting for payment.",
                            "Finish paying for that upgrade, or cancel it to choose another.",
                        )

    def _apply(self, changes: Changes, now: datetime) -> None:
        for customer in changes.customers.values():
            self._put_customer(clone(customer))
        for ticket in changes.tickets.values():
            self._put_ticket(clone(ticket))
        for order in changes.orders.values():
            self._put_order(clone(order), now)
        self.sold.update(changes.sold)
        for attempt in changes.payments.values():
            if attempt.id not in self.payments:
                self.payments_by_order[attempt.order_id].append(attempt.id)
                self.payment_by_key[attempt.idempotency_key] = attempt.id
            self.payments[attempt.id] = clone(attempt)
            if attempt.outcome is AttemptOutcome.STARTED:
                self.payments_unsettled[attempt.id] = None
            else:
                self.payments_unsettled.pop(attempt.id, None)
        for message in changes.outbox.values():
            self._put_message(clone(message))
        for entry in changes.audit:
            self.audit.append(entry)
            self.audit_by_entity[(entry.entity, entry.entity_id)].append(entry)

    def _put_customer(self, customer: Customer) -> None:
        previous = self.customers.get(customer.id)
        if previous is not None:
            self.customer_by_email.pop(previous.email.value, None)
            self.customer_by_subject.pop(previous.subject, None)
        self.customers[customer.id] = customer
        self.customer_by_email[customer.email.value] = customer.id
        self.customer_by_subject[customer.subject] = customer.id

    def _put_ticket(self, ticket: Ticket) -> None:
        if ticket.id not in self.tickets:
            self.tickets_by_customer[ticket.customer_id].append(ticket.id)
            self.ticket_by_number[ticket.number.value] = ticket.id
        self.tickets[ticket.id] = ticket

    def _put_order(self, order: UpgradeOrder, now: datetime) -> None:
        if order.id not in self.orders:
            self.orders_by_customer[order.customer_id].append(order.id)
            self.orders_by_ticket[order.ticket_id].append(order.id)
        self.orders[order.id] = order
        if order.confirmation_code is not None:
            self.order_by_code[order.confirmation_code.value] = order.id
        holds = self.holds[(order.tier, order.day)]
        if order.status is OrderStatus.PROCESSING:
            holds[order.id] = None
        elif order.holds_capacity(now):
            holds[order.id] = order.expires_at
        else:
            holds.pop(order.id, None)
        # Lapsed quotes stop counting by themselves; dropping them here keeps counting cheap.
        for lapsed in [
            oid for oid, expiry in holds.items() if expiry is not None and expiry <= now
        ]:
            del holds[lapsed]

    def _put_message(self, message: OutboxMessage) -> None:
        if message.id not in self.outbox and message.order_id is not None:
            self.outbox_by_order[message.order_id].append(message.id)
        self.outbox[message.id] = message
        self.outbox_waiting.pop(message.id, None)
        self.outbox_sending.pop(message.id, None)
        if message.status is DeliveryStatus.PENDING:
            self.outbox_waiting[message.id] = None
        elif message.status is DeliveryStatus.SENDING:
            self.outbox_sending[message.id] = None
