"""Repository ports: how use cases find and keep customers, tickets, orders and capacity.

All of them live inside a unit of work. Reads without `for_update` see committed data (read
committed). `*_for_update` also takes an exclusive lock on the record until the unit of work
ends; a lock not granted within the store's lock timeout raises `BusyError`. Lock in this order
to stay clear of deadlocks: order, then ticket, then capacity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from application.audit import AuditEntry
from application.outbox import OutboxMessage
from application.payments import PaymentAttempt
from domain.capacity import DailyCapacity
from domain.customers import Customer, EmailAddress
from domain.ids import CustomerId, OrderId, TicketId
from domain.orders import UpgradeOrder
from domain.tickets import Ticket, TicketNumber
from domain.tiers import Tier


class CustomerRepository(Protocol):
    """Customers. Emails and identity subjects are unique: `commit` raises `ConflictError`
    (code `email_taken`) when a write would duplicate one."""

    def get(self, customer_id: CustomerId) -> Customer | None: ...

    def get_for_update(self, customer_id: CustomerId) -> Customer | None: ...

    def by_subject(self, subject: str) -> Customer | None: ...

    def by_email(self, email: EmailAddress) -> Customer | None: ...

    def add(self, customer: Customer) -> None: ...

    def save(self, customer: Customer) -> None: ...


class TicketRepository(Protocol):
    """Tickets. Numbers are unique."""

    def get(self, ticket_id: TicketId) -> Ticket | None: ...

    def get_for_update(self, ticket_id: TicketId) -> Ticket | None: ...

    def id_for_number(self, number: TicketNumber) -> TicketId | None: ...

    def by_number(self, number: TicketNumber) -> Ticket | None: ...

    def by_number_for_update(self, number: TicketNumber) -> Ticket | None:
        """Find and lock in one step (one statement where the store allows it)."""
        ...

    def list_for_customer(self, customer_id: CustomerId) -> Sequence[Ticket]: ...

    def add(self, ticket: Ticket) -> None: ...

    def save(self, ticket: Ticket) -> None: ...


class OrderRepository(Protocol):
    """Upgrade orders. Confirmation codes are unique and a ticket has at most one order holding
    capacity: `commit` raises `ConflictError` (`confirmation_code_taken`,
    `upgrade_in_progress`) otherwise."""

    def get(self, order_id: OrderId) -> UpgradeOrder | None: ...

    def get_for_update(self, order_id: OrderId) -> UpgradeOrder | None: ...

    def list_for_customer(self, customer_id: CustomerId) -> Sequence[UpgradeOrder]: ...

    def live_for_ticket(self, ticket_id: TicketId, now: datetime) -> UpgradeOrder | None:
        """The order currently holding capacity for the ticket, if any."""
        ...

    def add(self, order: UpgradeOrder) -> None: ...

    def save(self, order: UpgradeOrder) -> None: ...


class CapacityRepository(Protocol):
    """The use of each (tier, date): units sold, and units held by live orders."""

    def lock(self, tier: Tier, day: date, capacity: int, now: datetime) -> DailyCapacity:
        """Lock the (tier, date) until the unit of work ends, then count its sales and live holds.

        Counting after the lock is what makes selling the last unit safe: every writer of this
        (tier, date) holds the same lock until it commits.
        """
        ...

    def usage(
        self, keys: Iterable[tuple[Tier, date]], now: datetime
    ) -> Mapping[tuple[Tier, date], tuple[int, int]]:
        """(sold, held) per key, without locks: good for showing, not for selling."""
        ...

    def save(self, usage: DailyCapacity) -> None:
        """Keep the units sold (holds are counted from the orders themselves)."""
        ...


class OutboxRepository(Protocol):
    """Emails waiting to be sent, written in the same transaction as their cause."""

    def add(self, message: OutboxMessage) -> None: ...

    def due(self, now: datetime, limit: int) -> Sequence[UUID]:
        """Ids of messages whose next attempt is due, oldest first."""
        ...

    def stuck(self, claimed_before: datetime, limit: int) -> Sequence[UUID]:
        """Ids of messages claimed before that instant and still not finished."""
        ...

    def get_for_update(self, message_id: UUID) -> OutboxMessage | None: ...

    def save(self, message: OutboxMessage) -> None: ...

    def for_order(self, order_id: OrderId) -> Sequence[OutboxMessage]: ...


class PaymentAttemptRepository(Protocol):
    """The ledger of payment attempts; an attempt's idempotency key is unique."""

    def add(self, attempt: PaymentAttempt) -> None: ...

    def save(self, attempt: PaymentAttempt) -> None: ...

    def for_order(self, order_id: OrderId) -> Sequence[PaymentAttempt]:
        """The order's attempts, in the order they were made."""
        ...

    def by_key(self, idempotency_key: str) -> PaymentAttempt | None: ...

    def unsettled(self, started_before: datetime, limit: int) -> Sequence[PaymentAttempt]:
        """Attempts still `started` that began before `started_before`, oldest first: money
        that may have moved without its outcome being recorded (for reconciliation)."""
        ...

    def refund_pending_for_ticket(self, ticket_id: TicketId) -> bool:
        """Whether a refund of one of the ticket's upgrades is started and not yet recorded:
        finishing it will put the ticket back as it was, so the ticket must not change first."""
        ...


class AuditLog(Protocol):
    """The append-only record of every data change."""

    def record(self, entry: AuditEntry) -> None: ...

    def for_entity(self, entity: str, entity_id: str) -> Sequence[AuditEntry]: ...
