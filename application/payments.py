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


class AttemptOutcome(Enum):
    STARTED = "started"  # the charge was asked for; its outcome is not recorded yet
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    UNAVAILABLE = "unavailable"  # the gateway could not process it: nothing was charged


@dataclass(slots=True, eq=False)
class PaymentAttempt:
    """One attempt, keyed by the gateway idempotency key it used. Card: brand and last four only."""

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

    def settle(
        self,
        outcome: AttemptOutcome,
        now: datetime,
        charge_id: str | None = None,
        decline_code: str | None = None,
    ) -> None:
        self.outcome = outcome
        self.charge_id = charge_id
        self.decline_code = decline_code
        self.updated_at = now
