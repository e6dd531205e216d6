"""The payment ledger: one record per attempt to charge a card for an order.

It is what reconciliation reads to find a charge whose order was never confirmed (a crash
between the charge and the commit), and what support reads to explain a customer's card history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from uuid import UUID

from domain.ids import OrderId
from domain.money import Money


class AttemptKind(Enum):
    CHARGE = "charge"
    REFUND = "refund"


class AttemptOutcome(Enum):
    STARTED = "started"  # the charge was asked for; its outcome is not recorded yet
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    UNAVAILABLE = "unavailable"  # the gateway could not process it: nothing was charged


@dataclass(slots=True, eq=False)
class PaymentAttempt:
    """One attempt to move money for an order, keyed by the gateway idempotency key it used.
    Card: brand and last four only. A charge attempt's `charge_id` is the charge it made; a
    refund attempt's is the charge it gives back, and `refund_id` the refund it made."""

    id: UUID
    order_id: OrderId
    attempt: int
    idempotency_key: str
    amount: Money
    brand: str
    last4: str
    outcome: AttemptOutcome
    created_at: datetime
    updated_at: datetime
    charge_id: str | None = None
    decline_code: str | None = None
    kind: AttemptKind = AttemptKind.CHARGE
    refund_id: str | None = None

    def settle(
        self,
        outcome: AttemptOutcome,
        now: datetime,
        charge_id: str | None = None,
        decline_code: str | None = None,
        refund_id: str | None = None,
    ) -> None:
        self.outcome = outcome
        if charge_id is not None:
            self.charge_id = charge_id
        self.decline_code = decline_code
        self.refund_id = refund_id
        self.updated_at = now
