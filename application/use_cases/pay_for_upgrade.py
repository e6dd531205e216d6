"""Pay for an upgrade: charge the card once, then confirm the order and move the ticket up."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from application.audit import Snapshot, order_change, snapshot_order
from application.emails import EmailComposer
from application.errors import (
    PaymentDeclinedError,
    PaymentOutcomeUnknownError,
    PaymentUnavailableError,
)
from application.outbox import EmailKind
from application.payments import AttemptOutcome, PaymentAttempt
from application.ports.clock import Clock
from application.ports.ids import IdGenerator
from application.ports.payments import ChargeRequest, PaymentGateway
from application.ports.progress import ProgressPublisher
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.results import OrderResult
from application.settlement import Settlement
from application.use_cases.lookups import find_customer, find_order
from domain.cards import PaymentCard
from domain.events import OrderEvent
from domain.ids import CustomerId, OrderId
from domain.orders import OrderStatus, UpgradeOrder
from domain.policy import UpgradePolicy

log = logging.getLogger(__name__)

_DECLINE_WORDS = {
    "card_declined": ("Your card was declined.", "Try another card, or ask your bank why."),
    "insufficient_funds": (
        "Your card has insufficient funds.",
        "Try another card, or top this one up and retry.",
    ),
    "expired_card": ("Your card has expired.", "Use a card that is still valid."),
    "incorrect_cvc": (
        "The security code (CVC) is incorrect.",
        "Check the 3 digits on the back and retry.",
    ),
}


@dataclass(frozen=True, slots=True)
class PayForUpgradeCommand:
    customer_id: CustomerId
    order_id: OrderId
    card: PaymentCard


@dataclass(frozen=True, slots=True)
class PayForUpgrade:
    """Charge the amount due and, once the charge succeeded, confirm the upgrade.

    The order is moved to `processing` and committed before the charge, so a second click, a
    replay or a second tab finds it busy or paid and never charges again; the charge itself runs
    outside any transaction. Raises `NotFoundError`, `OrderNotPayableError` (expired,
    cancelled, failed, already paid), `PaymentInProgressError`, `CardError` (rejected before
    any charge), `PaymentDeclinedError`, `PaymentUnavailableError` (nothing charged: the order
    is payable again), `PaymentOutcomeUnknownError` (the order stays `processing` until the
    reconciler learns the outcome), `ChargeNotApplicableError` (the charge came too late and
    is refunded) and `BusyError`.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    policy: UpgradePolicy
    gateway: PaymentGateway
    emails: EmailComposer
    progress: ProgressPublisher
    settlement: Settlement

    def __call__(self, command: PayForUpgradeCommand) -> OrderResult:
        order = self._start(command)
        request = ChargeRequest(
            idempotency_key=order.payment_key,
            amount=order.amount_due,
            card=command.card,
            description=f"Upgrade of {order.ticket_number} to {order.tier.key} on {order.day}",
            metadata={"order_id": str(order.id), "ticket": order.ticket_number.value},
        )
        try:
            charge = self.gateway.charge(request)
        except PaymentDeclinedError as decline:
            self._record_decline(command, decline)
        except PaymentUnavailableError:
            self._record_interruption(command)
            raise
        except PaymentOutcomeUnknownError:
            # Money may have moved: the order stays `processing`, holding its unit, and the
            # reconciler asks the gateway under the same key, then confirms or refunds.
            log.warning("payment outcome unknown", extra={"order_id": str(order.id)})
            raise
        actor = str(command.customer_id)
        return self.settlement.confirm_or_give_back(order.id, charge, actor)

    def _start(self, command: PayForUpgradeCommand) -> UpgradeOrder:
        now = self.clock.now()
        with self.uow() as uow:
            order = find_order(uow, command.customer_id, command.order_id, for_update=True)
            before = snapshot_order(order)
            order.start_payment(now)
            command.card.check(self.policy.park.today(now))
            uow.orders.save(order)
            uow.payments.add(
                PaymentAttempt(
                    id=self.ids.new_id(),
                    order_id=order.id,
                    attempt=order.attempts,
                    idempotency_key=order.payment_key,
                    amount=order.amount_due,
                    brand=command.card.brand,
                    last4=command.card.last4,
                    outcome=AttemptOutcome.STARTED,
                    created_at=now,
                    updated_at=now,
                )
            )
            self._audit(uow, command, "upgrade.payment_started", order, before)
            uow.commit()
        self._publish(order.pull_events())
        return order

    def _record_decline(
        self, command: PayForUpgradeCommand, decline: PaymentDeclinedError
    ) -> NoReturn:
        now = self.clock.now()
        with self.uow() as uow:
            order = find_order(uow, command.customer_id, command.order_id, for_update=True)
            before = snapshot_order(order)
            payment_key = order.payment_key
            order.record_decline(decline.decline_code, now, self.policy.max_declines)
            uow.orders.save(order)
            self._settle(
                uow, payment_key, AttemptOutcome.DECLINED, now, decline_code=decline.decline_code
            )
            if order.status is OrderStatus.FAILED:
                ticket = uow.tickets.get(order.ticket_id)
                customer = find_customer(uow, command.customer_id)
                if ticket is not None:
                    uow.outbox.add(
                        self.emails.compose(EmailKind.PAYMENT_FAILED, order, ticket, customer, now)
                    )
            self._audit(uow, command, "upgrade.payment_declined", order, before)
            uow.commit()
        self._publish(order.pull_events())
        message, guidance = _DECLINE_WORDS.get(
            decline.decline_code, (decline.message, decline.guidance)
        )
        attempts_left = max(0, self.policy.max_declines - order.declines)
        if order.status_at(now) is OrderStatus.EXPIRED:
            # The hold lapsed while the card was being tried: there is nothing left to retry.
            attempts_left = 0
            guidance = "This quote has expired meanwhile. Start a new upgrade from the calendar."
        elif not attempts_left:
            guidance = "This quote is now closed. Start a new upgrade and pay with another card."
        raise PaymentDeclinedError(decline.decline_code, message, guidance, attempts_left)

    def _record_interruption(self, command: PayForUpgradeCommand) -> None:
        now = self.clock.now()
        with self.uow() as uow:
            order = find_order(uow, command.customer_id, command.order_id, for_update=True)
            before = snapshot_order(order)
            self._settle(uow, order.payment_key, AttemptOutcome.UNAVAILABLE, now)
            order.record_interruption(now)
            uow.orders.save(order)
            self._audit(uow, command, "upgrade.payment_interrupted", order, before)
            uow.commit()
        self._publish(order.pull_events())

    @staticmethod
    def _settle(
        uow: UnitOfWork,
        payment_key: str,
        outcome: AttemptOutcome,
        now: datetime,
        charge_id: str | None = None,
        decline_code: str | None = None,
    ) -> None:
        attempt = uow.payments.by_key(payment_key)
        if attempt is not None:
            attempt.settle(outcome, now, charge_id, decline_code)
            uow.payments.save(attempt)

    def _audit(
        self,
        uow: UnitOfWork,
        command: PayForUpgradeCommand,
        action: str,
        order: UpgradeOrder,
        before: Snapshot,
    ) -> None:
        actor = str(command.customer_id)
        uow.audit.record(
            order_change(self.ids.new_id(), order.updated_at, actor, action, order, before)
        )

    def _publish(self, events: list[OrderEvent]) -> None:
        self.progress.publish(events)
