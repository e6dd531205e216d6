"""Finding a customer's own records; someone else's is reported exactly like a missing one."""

from __future__ import annotations

from datetime import datetime

from application.outbox import DeliveryStatus, OutboxMessage
from application.ports.unit_of_work import UnitOfWork
from application.results import EmailDelivery, OrderResult
from domain.customers import Customer
from domain.eligibility import TICKET_NOT_FOUND
from domain.errors import NotFoundError
from domain.ids import CustomerId, OrderId
from domain.orders import UpgradeOrder
from domain.tickets import Ticket, TicketReference


def find_ticket(
    uow: UnitOfWork, customer_id: CustomerId, reference: TicketReference, for_update: bool = False
) -> Ticket:
    ticket = None
    if reference.ticket_id is not None:
        tickets, ticket_id = uow.tickets, reference.ticket_id
        ticket = tickets.get_for_update(ticket_id) if for_update else tickets.get(ticket_id)
    elif reference.number is not None:
        tickets, number = uow.tickets, reference.number
        ticket = tickets.by_number_for_update(number) if for_update else tickets.by_number(number)
    if ticket is None or not ticket.belongs_to(customer_id):
        raise NotFoundError("ticket_not_found", TICKET_NOT_FOUND.message, TICKET_NOT_FOUND.guidance)
    return ticket


def find_order(
    uow: UnitOfWork, customer_id: CustomerId, order_id: OrderId, for_update: bool = False
) -> UpgradeOrder:
    order = uow.orders.get_for_update(order_id) if for_update else uow.orders.get(order_id)
    if order is None or order.customer_id != customer_id:
        raise NotFoundError(
            "order_not_found",
            "We could not find that upgrade order on your account.",
            "Check the link, or find the order in your list of upgrades.",
        )
    return order


def find_customer(uow: UnitOfWork, customer_id: CustomerId, for_update: bool = False) -> Customer:
    customer = (
        uow.customers.get_for_update(customer_id) if for_update else uow.customers.get(customer_id)
    )
    if customer is None:
        raise NotFoundError(
            "customer_not_found", "Your customer account no longer exists.", "Sign up again."
        )
    return customer


_EMAIL_STATUS = {
    DeliveryStatus.PENDING: "pending",
    DeliveryStatus.SENDING: "pending",
    DeliveryStatus.SENT: "sent",
    DeliveryStatus.FAILED: "failed",
}


def email_delivery(message: OutboxMessage) -> EmailDelivery:
    return EmailDelivery(
        message.id,
        message.kind.value,
        _EMAIL_STATUS[message.status],
        message.attempts,
        message.created_at,
        message.sent_at,
    )


def order_result(
    uow: UnitOfWork, order: UpgradeOrder, now: datetime, max_declines: int
) -> OrderResult:
    """The order with its effective status and the delivery state of each of its emails."""
    emails = tuple(email_delivery(message) for message in uow.outbox.for_order(order.id))
    email_status = emails[-1].status if emails else None
    return OrderResult.build(order, now, max_declines, email_status, emails)
