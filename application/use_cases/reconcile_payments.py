"""Reconcile the payment ledger with the gateway: nothing stays charged and unconfirmed."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from application.audit import SYSTEM_ACTOR, order_change, snapshot_order
from application.errors import ServiceUnavailableError
from application.payments import AttemptKind, AttemptOutcome, PaymentAttempt
from application.ports.clock import Clock
from application.ports.ids import IdGenerator
from application.ports.payments import Charge, PaymentGateway
from application.ports.progress import ProgressPublisher
from application.ports.unit_of_work import UnitOfWorkFactory
from application.settlement import Settlement
from domain.errors import BusinessRuleError
from domain.ids import OrderId

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    """What one run did. `deferred` items met a failing gateway and wait for the next run."""

    confirmed: int = 0  # a charge found for an order still waiting: the order is confirmed
    refunded: int = 0  # a charge that could confirm nothing: given back, customer told
    released: int = 0  # no charge was made: the order is payable again
    refunds_finished: int = 0  # a refund asked for earlier is made and recorded
    deferred: int = 0
    charges_checked: int = 0

    def __add__(self, other: ReconciliationReport) -> ReconciliationReport:
        return ReconciliationReport(
            *(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True))
        )

    def as_tuple(self) -> tuple[int, ...]:
        return (
            self.confirmed,
            self.refunded,
            self.released,
            self.refunds_finished,
            self.deferred,
            self.charges_checked,
        )

    @property
    def repaired(self) -> int:
        return self.confirmed + self.refunded + self.released + self.refunds_finished


@dataclass(slots=True)
class ReconcilePayments:
    """Find money whose outcome was never recorded, and settle it.

    1. Ledger attempts still `started` after `grace` (a crash between the charge and its
       commit, a timeout, a refund cut short): the gateway is asked under the attempt's own
       key. A charge found confirms its order if the order still waits for it and its visit
       date has not passed; otherwise it is refunded and the customer told. No charge: nothing
       moved, the order is payable again. A started refund is made (same key) and recorded.
    2. The gateway's charges since the last run: a charge that confirmed no order (its attempt
       recorded as failed, or unknown) is refunded. Charges whose attempt is still `started`
       are left to step 1, and the next run reads again from the oldest of them.

    `grace` must outlast a payment request's longest run (its retries and timeouts), so that a
    request still running is never mistaken for a dead one. Every step is idempotent: two
    reconcilers, or a reconciler and a customer, never move money twice.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    gateway: PaymentGateway
    settlement: Settlement
    progress: ProgressPublisher
    grace: timedelta = timedelta(minutes=2)
    lookback: timedelta = timedelta(hours=1)
    batch: int = 200
    _since: datetime | None = field(default=None, init=False)
    _running: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __call__(self) -> ReconciliationReport:
        with self._running:  # one run at a time per process; other processes are safe anyway
            report = self._settle_unsettled()
            return report + self._sweep_charges()

    # -- 1. attempts without an outcome ----------------------------------------------------------

    def _settle_unsettled(self) -> ReconciliationReport:
        now = self.clock.now()
        with self.uow() as uow:
            attempts = uow.payments.unsettled(now - self.grace, self.batch)
        report = ReconciliationReport()
        for attempt in attempts:
            try:
                if attempt.kind is AttemptKind.REFUND:
                    report += self._finish_refund(attempt)
                else:
                    report += self._settle_charge(attempt)
            except ServiceUnavailableError as error:
                log.warning(
                    "reconciliation deferred",
                    extra={"attempt": attempt.idempotency_key, "reason": error.message},
                )
                report += ReconciliationReport(deferred=1)
        return report

    def _finish_refund(self, attempt: PaymentAttempt) -> ReconciliationReport:
        refund = self.settlement.ask_refund(attempt)
        self.settlement.finish_refund(attempt, refund, SYSTEM_ACTOR)
        return ReconciliationReport(refunds_finished=1)

    def _settle_charge(self, attempt: PaymentAttempt) -> ReconciliationReport:
        charge = self.gateway.find_charge(attempt.idempotency_key)
        if charge is None:
            self._release(attempt)
            return ReconciliationReport(released=1)
        return self._apply(attempt.order_id, charge)

    def _apply(self, order_id: OrderId, charge: Charge) -> ReconciliationReport:
        try:
            self.settlement.confirm(order_id, charge, SYSTEM_ACTOR)
        except BusinessRuleError as refusal:
            log.warning(
                "charge cannot confirm its order: refunding",
                extra={"order_id": str(order_id), "charge_id": charge.id, "reason": refusal.code},
            )
            self.settlement.give_back(order_id, charge, SYSTEM_ACTOR)
            return ReconciliationReport(refunded=1)
        log.info("order confirmed by reconciliation", extra={"order_id": str(order_id)})
        return ReconciliationReport(confirmed=1)

    def _release(self, attempt: PaymentAttempt) -> None:
        """Nothing was charged under the key, and no request with it can still be running."""
        now = self.clock.now()
        with self.uow() as uow:
            order = uow.orders.get_for_update(attempt.order_id)
            ledger = uow.payments.by_key(attempt.idempotency_key)
            if order is None or ledger is None or ledger.outcome is not AttemptOutcome.STARTED:
                return  # settled meanwhile
            ledger.settle(AttemptOutcome.UNAVAILABLE, now)
            uow.payments.save(ledger)
            if order.is_paying_with(attempt.idempotency_key):
                before = snapshot_order(order)
                order.record_interruption(now)
                uow.orders.save(order)
                uow.audit.record(
                    order_change(
                        self.ids.new_id(),
                        now,
                        SYSTEM_ACTOR,
                        "upgrade.payment_released",
                        order,
                        before,
                    )
                )
            uow.commit()
        self.progress.publish(order.pull_events())

    # -- 2. charges that confirmed nothing -------------------------------------------------------

    def _sweep_charges(self) -> ReconciliationReport:
        since = self._since or self.clock.now() - self.lookback
        try:
            charges = self.gateway.charges_since(since)
        except ServiceUnavailableError:
            return ReconciliationReport(deferred=1)
        report = ReconciliationReport(charges_checked=len(charges))
        still_open: list[datetime] = []
        for charge in charges:
            if charge.refunded is not None:
                continue
            verdict = self._orphan_of(charge)
            if verdict == "open":
                still_open.append(charge.created_at)
            elif isinstance(verdict, UUID):
                try:
                    self.settlement.give_back(OrderId(verdict), charge, SYSTEM_ACTOR)
                    report += ReconciliationReport(refunded=1)
                except ServiceUnavailableError:
                    still_open.append(charge.created_at)
                    report += ReconciliationReport(deferred=1)
        latest = charges[-1].created_at if charges else since
        self._since = min(still_open, default=latest)
        return report

    def _orphan_of(self, charge: Charge) -> UUID | str | None:
        """The order a charge must be given back to; "open" while its attempt is in flight;
        None when the charge is accounted for (it paid its order) or not ours."""
        with self.uow() as uow:
            attempt = uow.payments.by_key(charge.idempotency_key)
            if attempt is not None and attempt.outcome is AttemptOutcome.STARTED:
                return "open"
            order_id = attempt.order_id if attempt is not None else _order_id(charge)
            order = uow.orders.get(OrderId(order_id)) if order_id is not None else None
            if order is None:
                log.warning("a charge of no order of ours", extra={"charge_id": charge.id})
                return None
            if order.was_paid_with(charge.id):
                return None
            return order.id


def _order_id(charge: Charge) -> UUID | None:
    try:
        return UUID(charge.metadata.get("order_id", ""))
    except ValueError:
        return None
