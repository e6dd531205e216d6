"""Composing the customer's emails from an order: what they say, then the renderer's templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from application.outbox import EmailKind, EmailMessage, OutboxMessage
from application.ports.email import EmailContent, EmailRenderer
from application.ports.ids import IdGenerator
from domain.customers import Customer
from domain.orders import UpgradeOrder
from domain.policy import UpgradePolicy
from domain.tickets import Ticket


@dataclass(frozen=True, slots=True)
class EmailComposer:
    """Builds the outbox message for an order's email, ready to be written with the order."""

    renderer: EmailRenderer
    ids: IdGenerator
    policy: UpgradePolicy
    site_url: str

    def order_url(self, order: UpgradeOrder) -> str:
        return f"{self.site_url.rstrip('/')}/orders/{order.id}"

    def compose(
        self,
        kind: EmailKind,
        order: UpgradeOrder,
        ticket: Ticket,
        customer: Customer,
        now: datetime,
    ) -> OutboxMessage:
        content = EmailContent(
            kind=kind,
            to=customer.email.value,
            customer_name=customer.display_name,
            park_name=self.policy.park.name,
            ticket_number=ticket.number.value,
            tier_name=self.policy.catalog.describe(order.tier).name,
            visit_date=order.day,
            amount=f"{order.amount_due.currency} {order.amount_due}",
            order_url=self.order_url(order),
            confirmation_code=str(order.confirmation_code) if order.confirmation_code else None,
            decline_reason=order.last_decline_code,
        )
        rendered = self.renderer.render(content)
        message = EmailMessage(
            self.ids.new_id(), content.to, rendered.subject, rendered.text, rendered.html
        )
        return OutboxMessage.new(message, kind, order.id, order.customer_id, now)
