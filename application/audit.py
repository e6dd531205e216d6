"""Audit entries: who changed what, when, and how it looked before and after."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.customers import Customer
from domain.orders import UpgradeOrder
from domain.tickets import Ticket

Snapshot = Mapping[str, str | int | None]

SYSTEM_ACTOR = "system"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change to one record. Append-only: entries are never edited or deleted."""

    id: UUID
    at: datetime
    actor: str  # a customer id, or "system"
    action: str  # e.g. "upgrade.confirmed"
    entity: str  # e.g. "upgrade_order"
    entity_id: str
    before: Snapshot | None
    after: Snapshot | None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def snapshot_ticket(ticket: Ticket) -> Snapshot:
    return {
        "number": ticket.number.value,
        "tier": ticket.tier.key,
        "visit_date": ticket.visit_date.isoformat(),
        "price_paid": str(ticket.price_paid),
        "status": ticket.status.value,
    }


def snapshot_order(order: UpgradeOrder) -> Snapshot:
    return {
        "status": order.status.value,
        "ticket_id": str(order.ticket_id),
        "tier": order.tier.key,
        "date": order.day.isoformat(),
        "price": str(order.price),
        "amount_due": str(order.amount_due),
        "expires_at": order.expires_at.isoformat(),
        "attempts": order.attempts,
        "declines": order.declines,
        "payment_id": _text(order.payment.payment_id if order.payment else None),
        "confirmation_code": _text(order.confirmation_code),
    }


def snapshot_customer(customer: Customer) -> Snapshot:
    return {
        "email": customer.email.value,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
    }


def order_change(
    entry_id: UUID,
    at: datetime,
    actor: str,
    action: str,
    order: UpgradeOrder,
    before: Snapshot | None,
) -> AuditEntry:
    return AuditEntry(
        entry_id, at, actor, action, "upgrade_order", str(order.id), before, snapshot_order(order)
    )


def ticket_change(
    entry_id: UUID, at: datetime, actor: str, action: str, ticket: Ticket, before: Snapshot | None
) -> AuditEntry:
    return AuditEntry(
        entry_id, at, actor, action, "ticket", str(ticket.id), before, snapshot_ticket(ticket)
    )


def customer_change(
    entry_id: UUID,
    at: datetime,
    actor: str,
    action: str,
    customer: Customer,
    before: Snapshot | None,
) -> AuditEntry:
    return AuditEntry(
        entry_id,
        at,
        actor,
        action,
        "customer",
        str(customer.id),
        before,
        snapshot_customer(customer),
    )
