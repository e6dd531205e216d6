"""The payment gateway port."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from domain.cards import PaymentCard
from domain.money import Money


@dataclass(frozen=True, slots=True)
class ChargeRequest:
    """One charge. The card travels to the gateway and nowhere else."""

    idempotency_key: str
    amount: Money
    card: PaymentCard
    description: str
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Charge:
    """A successful charge, as the gateway reports it."""

    id: str
    amount: Money
    brand: str
    last4: str
    idempotency_key: str
    created_at: datetime


class PaymentGateway(Protocol):
    """Charges cards.

    Idempotent by `idempotency_key`: the same key with the same parameters returns the first
    outcome (the same charge, or the same decline) and never charges twice; the same key with
    other parameters raises `IdempotencyKeyReusedError`.
    Raises `PaymentDeclinedError` (final for that attempt: never retry it) or
    `PaymentUnavailableError` (nothing was charged; retrying with the same key is safe).
    """

    def charge(self, request: ChargeRequest) -> Charge: ...

    def find_charge(self, idempotency_key: str) -> Charge | None:
        """The successful charge made under this key, if any (for reconciliation)."""
        ...
