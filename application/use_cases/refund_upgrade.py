"""Refund a confirmed upgrade: the money back, the ticket as it was, the unit released."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from application.audit import order_change, snapshot_order
from application.errors import ServiceUnavailableError
from application.payments import PaymentAttempt
from application.ports.clock import Clock
from application.ports.ids import IdGenerator
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.results import OrderResult
from application.settlement import Settlement, refund_key
from application.use_cases.lookups import find_order, order_result
from domain.ids import CustomerId, OrderId
from domain.orders import OrderStatus, RefundNotAllowedError, UpgradeOrder
from domain.policy import UpgradePolicy


class RefundPendingError(ServiceUnavailableError):
    """The refund is asked for and written down, but the gateway did not make it yet."""

    def __init__(self, cause: ServiceUnavailableError) -> None:
        super().__init__(
            "refund_pending",
            "Your refund is registered, but the payment provider is not answering right now.",
            "Nothing more to do: we finish the refund automatically within minutes and email "
            "you. Asking again is safe and never refunds twice.",
            retry_after=cause.retry_after,
        )


@dataclass(frozen=True, slots=True)
class RefundUpgrade:
    """The customer takes back a confirmed upgrade, until the day before its visit.

    The refund is written to the ledger (committed), made by the gateway under a key unique to
    the charge (so asking twice, or a retry after a timeout, refunds once), then recorded:
    order refunded, ticket back to its previous tier, date and price paid, the unit released,
    audit entries and the "upgrade refunded" email, in one transaction.

    Raises `NotFoundError`, `RefundNotAllowedError` (not confirmed, visit date reached, or the
    ticket was upgraded again since) and `RefundPendingError` (the gateway is failing; the
    reconciler finishes the refund). Refunding a refunded order returns it unchanged.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    policy: UpgradePolicy
    settlement: Settlement

    def __call__(self, customer_id: CustomerId, order_id: OrderId) -> OrderResult:
        attempt = self._start(customer_id, order_id)
        if attempt is not None:
            try:
                refund = self.settlement.ask_refund(attempt)
            except ServiceUnavailableError as error:
                raise RefundPendingError(error) from error
            self.settlement.finish_refund(attempt, refund, str(customer_id))
        with self.uow() as uow:
            order = find_order(uow, customer_id, order_id)
            return order_result(uow, order, self.clock.now(), self.policy.max_declines)

    def _start(self, customer_id: CustomerId, order_id: OrderId) -> PaymentAttempt | None:
        now = self.clock.now()
        with self.uow() as uow:
            order = find_order(uow, customer_id, order_id, for_update=True)
            if order.status is OrderStatus.REFUNDED:
                return None
            payment = order.payment
            first_request = (
                payment is None or uow.payments.by_key(refund_key(payment.payment_id)) is None
            )
            if first_request:
                # A refund asked for in time stands (see `UpgradeOrder.refund`): asking again
                # after the visit date, the gateway having been down, finishes it.
                order.check_refundable(self.policy.park.today(now))
            self._check_not_superseded(uow, order)
            if first_request:
                self._check_no_upgrade_waiting(uow, order, now)
            if payment is None:
                raise AssertionError(f"confirmed order {order.id} has no payment")
            attempt = self.settlement.start_refund(uow, order, payment, now)
            if first_request:
                uow.audit.record(
                    order_change(
                        self.ids.new_id(),
                        now,
                        str(customer_id),
                        "upgrade.refund_requested",
                        order,
                        snapshot_order(order),
                    )
                )
            uow.commit()
        return attempt

    @staticmethod
    def _check_no_upgrade_waiting(uow: UnitOfWork, order: UpgradeOrder, now: datetime) -> None:
        """A newer quote of the ticket would be paid on top of this upgrade, then silently lost
        when the refund puts the ticket back; the ticket's row lock (taken just before) keeps
        the quote and the refund from crossing. While the refund is pending, quotes wait."""
        if uow.orders.live_for_ticket(order.ticket_id, now) is not None:
            raise RefundNotAllowedError(
                "upgrade_in_progress",
                "Another upgrade of this ticket is waiting for payment.",
                "Pay for it or cancel it first, or wait for its hold to lapse.",
            )

    @staticmethod
    def _check_not_superseded(uow: UnitOfWork, order: UpgradeOrder) -> None:
        """Undoing an upgrade puts the ticket back as it was before it; if the ticket has been
        upgraded again since, that would silently undo the later upgrade too."""
        ticket = uow.tickets.get_for_update(order.ticket_id)
        if ticket is None or (ticket.tier, ticket.visit_date) != (order.tier, order.day):
            raise RefundNotAllowedError(
                "upgrade_superseded",
                "This ticket was upgraded again after this upgrade.",
                "Refund the latest upgrade of the ticket first.",
            )
