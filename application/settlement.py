"""Recording money that moved: a charge confirms its order, a refund undoes an upgrade, and a
charge that can confirm nothing is given back.

Paying, refunding and reconciliation all end here, so a charge is recorded the same way whoever
finds it: the customer's own request, or the reconciler after a crash or a timeout. Every step
is idempotent (the gateway's by key, ours by the order's state and the ledger's unique keys), so
running one twice, or two at once, moves money once and records it once.

Money never moves inside a transaction: each refund is first written to the ledger as a
`started` attempt (committed), then asked of the gateway, then recorded. A crash in between
leaves the started attempt for reconciliation to finish.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from application.audit import Snapshot, order_change, snapshot_order, snapshot_ticket, ticket_change
from application.emails import EmailComposer
from application.errors import BusyError, ServiceUnavailableError
from application.outbox import EmailKind
from application.payments import AttemptKind, AttemptOutcome, PaymentAttempt
from application.ports.clock import Clock
from application.ports.ids import IdGenerator
from application.ports.payments import Charge, PaymentGateway, Refund, RefundRequest
from application.ports.progress import ProgressPublisher
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.results import OrderResult
from application.use_cases.lookups import email_delivery, order_result
from domain.errors import BusinessRuleError, ConflictError
from domain.events import OrderEvent
from domain.ids import OrderId
from domain.orders import OrderStatus, PaymentRecord, UpgradeOrder
from domain.policy import UpgradePolicy
from domain.tickets import Ticket, TicketStatus

log = logging.getLogger(__name__)

CONFIRM_ATTEMPTS = 5


class ChargeNotApplicableError(BusinessRuleError):
    """A successful charge that cannot confirm its order (the order moved on, or its visit date
    has passed): the money has to go back."""


def refund_key(charge_id: str) -> str:
    """The gateway key of the one refund a charge can have: whoever asks, it is refunded once."""
    return f"refund-{charge_id}"


@dataclass(frozen=True, slots=True)
class Settlement:
    """The transactions that follow a movement of money, shared by every use case that moves it."""

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    policy: UpgradePolicy
    gateway: PaymentGateway
    emails: EmailComposer
    progress: ProgressPublisher

    # -- a charge succeeded --------------------------------------------------------------------

    def confirm(self, order_id: OrderId, charge: Charge, actor: str) -> OrderResult:
        """Confirm the order the charge paid for: the order, the ticket, the sale, the ledger,
        the audit and the email in one transaction.

        The money is taken, so a lock timeout or a confirmation-code collision is tried again.
        Raises `ChargeNotApplicableError` when the order can no longer take this charge.
        """
        for attempt in range(1, CONFIRM_ATTEMPTS + 1):
            try:
                return self._confirm_once(order_id, charge, actor)
            except (BusyError, ConflictError):
                if attempt == CONFIRM_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _confirm_once(self, order_id: OrderId, charge: Charge, actor: str) -> OrderResult:
        now = self.clock.now()
        with self.uow() as uow:
            order = self._order(uow, order_id)
            if order.was_paid_with(charge.id):
                return order_result(uow, order, now, self.policy.max_declines)  # done before
            self._check_applicable(order, charge, now)
            ticket = uow.tickets.get_for_update(order.ticket_id)
            customer = uow.customers.get(order.customer_id)
            if ticket is None or customer is None:
                raise AssertionError(f"order {order.id} lost its ticket or customer")
            self._check_ticket_takes(order, ticket)
            order_before, ticket_before = snapshot_order(order), snapshot_ticket(ticket)
            capacity = self.policy.capacity.capacity(order.tier, order.day)
            usage = uow.capacity.lock(order.tier, order.day, capacity, now)
            order.confirm(
                PaymentRecord(charge.id, charge.brand, charge.last4),
                self.ids.new_confirmation_code(),
                now,
            )
            ticket.apply_upgrade(order.tier, order.day, order.amount_due, now)
            usage.sell_held_unit()
            self._settle(uow, charge.idempotency_key, AttemptOutcome.SUCCEEDED, now, charge.id)
            uow.orders.save(order)
            uow.tickets.save(ticket)
            uow.capacity.save(usage)
            message = self.emails.compose(EmailKind.UPGRADE_CONFIRMED, order, ticket, customer, now)
            uow.outbox.add(message)
            self._audit_order(uow, now, actor, "upgrade.confirmed", order, order_before)
            uow.audit.record(
                ticket_change(
                    self.ids.new_id(), now, actor, "ticket.upgraded", ticket, ticket_before
                )
            )
            uow.commit()
        self._publish(order.pull_events())
        return OrderResult.build(
            order, now, self.policy.max_declines, "pending", (email_delivery(message),)
        )

    def _check_applicable(self, order: UpgradeOrder, charge: Charge, now: datetime) -> None:
        if not order.is_paying_with(charge.idempotency_key):
            raise ChargeNotApplicableError(
                "charge_not_applicable",
                f"The order is {order.status.value} and no longer waits for this payment.",
                "The payment is refunded automatically.",
            )
        if self.policy.park.today(now) > order.day:
            raise ChargeNotApplicableError(
                "visit_date_passed",
                f"The visit date ({order.day.isoformat()}) passed before the payment was "
                "confirmed.",
                "The payment is refunded automatically.",
            )

    @staticmethod
    def _check_ticket_takes(order: UpgradeOrder, ticket: Ticket) -> None:
        """A charge settled late (reconciliation) may find the ticket cancelled or used by an
        operator meanwhile, or already on the tier: the upgrade cannot be applied, so the
        money goes back."""
        if ticket.status is not TicketStatus.ACTIVE or not order.tier.is_above(ticket.tier):
            raise ChargeNotApplicableError(
                "ticket_changed",
                f"Ticket {ticket.number.value} is {ticket.status.value} on "
                f"{ticket.tier.key} and can no longer take this upgrade.",
                "The payment is refunded automatically.",
            )

    # -- refunds ---------------------------------------------------------------------------------

    def start_refund(
        self, uow: UnitOfWork, order: UpgradeOrder, charge: Charge | PaymentRecord, now: datetime
    ) -> PaymentAttempt:
        """Write (in the caller's transaction) the ledger's note that `charge` is being given
        back; a note already there (a retry) is reused, and revived if the gateway was down."""
        charge_id = charge.id if isinstance(charge, Charge) else charge.payment_id
        key = refund_key(charge_id)
        attempt = uow.payments.by_key(key)
        if attempt is None:
            amount = charge.amount if isinstance(charge, Charge) else order.amount_due
            attempt = PaymentAttempt(
                id=self.ids.new_id(),
                order_id=order.id,
                attempt=order.attempts,
                idempotency_key=key,
                amount=amount,
                brand=charge.brand,
                last4=charge.last4,
                outcome=AttemptOutcome.STARTED,
                created_at=now,
                updated_at=now,
                charge_id=charge_id,
                kind=AttemptKind.REFUND,
            )
            uow.payments.add(attempt)
        elif attempt.outcome is AttemptOutcome.UNAVAILABLE:
            attempt.settle(AttemptOutcome.STARTED, now)
            uow.payments.save(attempt)
        return attempt

    def ask_refund(self, attempt: PaymentAttempt) -> Refund:
        """Ask the gateway for the refund the attempt notes (safe to repeat: same key)."""
        if attempt.charge_id is None:
            raise AssertionError(f"refund attempt {attempt.id} names no charge")
        return self.gateway.refund(RefundRequest(attempt.idempotency_key, attempt.charge_id))

    def finish_refund(self, attempt: PaymentAttempt, refund: Refund, actor: str) -> UpgradeOrder:
        """Record a refund the gateway made: if it gave back an upgrade, the upgrade is undone
        (ticket restored, unit released, "upgrade refunded" email); if it gave back a charge
        that never confirmed anything, the customer is told ("payment refunded")."""
        now = self.clock.now()
        with self.uow() as uow:
            order = self._order(uow, attempt.order_id)
            ledger = uow.payments.by_key(attempt.idempotency_key)
            if ledger is None or ledger.outcome is AttemptOutcome.SUCCEEDED:
                return order  # recorded by an earlier try
            if order.was_paid_with(refund.charge_id) and order.status is OrderStatus.CONFIRMED:
                self._undo_upgrade(uow, order, refund, now, actor)
                kind = EmailKind.UPGRADE_REFUNDED
            else:
                self._audit_order(uow, now, actor, "payment.refunded", order, snapshot_order(order))
                kind = EmailKind.PAYMENT_REFUNDED
            ledger.settle(AttemptOutcome.SUCCEEDED, now, refund_id=refund.id)
            uow.payments.save(ledger)
            ticket = uow.tickets.get(order.ticket_id)
            customer = uow.customers.get(order.customer_id)
            if ticket is not None and customer is not None:
                uow.outbox.add(self.emails.compose(kind, order, ticket, customer, now))
            uow.commit()
        self._publish(order.pull_events())
        return order

    def _undo_upgrade(
        self, uow: UnitOfWork, order: UpgradeOrder, refund: Refund, now: datetime, actor: str
    ) -> None:
        ticket = uow.tickets.get_for_update(order.ticket_id)
        if ticket is None:
            raise AssertionError(f"order {order.id} lost its ticket")
        order_before, ticket_before = snapshot_order(order), snapshot_ticket(ticket)
        capacity = self.policy.capacity.capacity(order.tier, order.day)
        usage = uow.capacity.lock(order.tier, order.day, capacity, now)
        order.refund(refund.id, now)
        ticket.restore(order.from_tier, order.from_date, order.from_price_paid, now)
        usage.release_sale()
        uow.orders.save(order)
        uow.tickets.save(ticket)
        uow.capacity.save(usage)
        self._audit_order(uow, now, actor, "upgrade.refunded", order, order_before)
        uow.audit.record(
            ticket_change(self.ids.new_id(), now, actor, "ticket.restored", ticket, ticket_before)
        )

    def confirm_or_give_back(self, order_id: OrderId, charge: Charge, actor: str) -> OrderResult:
        """`confirm`, and when the charge can no longer confirm the order, give it back before
        raising `ChargeNotApplicableError`; a gateway failing that refund leaves it started in
        the ledger, for reconciliation to finish."""
        try:
            return self.confirm(order_id, charge, actor)
        except ChargeNotApplicableError:
            try:
                self.give_back(order_id, charge, actor)
            except ServiceUnavailableError:
                log.warning("refund deferred to reconciliation", extra={"order_id": str(order_id)})
            raise

    def give_back(self, order_id: OrderId, charge: Charge, actor: str) -> UpgradeOrder:
        """Refund a charge that cannot confirm its order and tell the customer.

        The charge attempt is recorded as the success it was, and an order still waiting for
        it goes back to payable (its hold lapses on its own time). Raises the gateway's errors;
        the started refund stays in the ledger for reconciliation to finish.
        """
        now = self.clock.now()
        with self.uow() as uow:
            order = self._order(uow, order_id)
            before = snapshot_order(order)
            self._settle(uow, charge.idempotency_key, AttemptOutcome.SUCCEEDED, now, charge.id)
            if order.is_paying_with(charge.idempotency_key):
                order.record_interruption(now)
                uow.orders.save(order)
                self._audit_order(uow, now, actor, "upgrade.payment_returned", order, before)
            attempt = self.start_refund(uow, order, charge, now)
            uow.commit()
        self._publish(order.pull_events())
        if attempt.outcome is AttemptOutcome.SUCCEEDED:
            return order
        log.warning(
            "refunding a charge that confirmed nothing",
            extra={"order_id": str(order_id), "charge_id": charge.id, "actor": actor},
        )
        return self.finish_refund(attempt, self.ask_refund(attempt), actor)

    # -- internals -------------------------------------------------------------------------------

    @staticmethod
    def _order(uow: UnitOfWork, order_id: OrderId) -> UpgradeOrder:
        order = uow.orders.get_for_update(order_id)
        if order is None:
            raise AssertionError(f"the ledger names order {order_id}, which does not exist")
        return order

    @staticmethod
    def _settle(
        uow: UnitOfWork,
        payment_key: str,
        outcome: AttemptOutcome,
        now: datetime,
        charge_id: str | None = None,
    ) -> None:
        attempt = uow.payments.by_key(payment_key)
        if attempt is not None and attempt.outcome is not outcome:
            attempt.settle(outcome, now, charge_id)
            uow.payments.save(attempt)

    def _audit_order(
        self,
        uow: UnitOfWork,
        now: datetime,
        actor: str,
        action: str,
        order: UpgradeOrder,
        before: Snapshot,
    ) -> None:
        uow.audit.record(order_change(self.ids.new_id(), now, actor, action, order, before))

    def _publish(self, events: list[OrderEvent]) -> None:
        self.progress.publish(events)
