"""The payment gateway port."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    """A successful charge, as the gateway reports it. `refunded` is the amount given back."""

    id: str
    amount: Money
    brand: str
    last4: str
    idempotency_key: str
    created_at: datetime
    metadata: Mapping[str, str] = field(default_factory=dict)
    refunded: Money | None = None


@dataclass(frozen=True, slots=True)
class RefundRequest:
    """Give a charge's whole amount back. The key makes asking twice refund once."""

    idempotency_key: str
    charge_id: str


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    charge_id: str
    amount: Money
    idempotency_key: str
    created_at: datetime


class PaymentGateway(Protocol):
    """Charges cards and refunds charges.

    Idempotent by `idempotency_key`: the same key with the same parameters returns the first
    outcome (the same charge, refund or decline) and never moves money twice; the same key with
    other parameters raises `IdempotencyKeyReusedError`.

    Raises `PaymentDeclinedError` (final for that attempt: never retry it),
    `PaymentUnavailableError` (the gateway answered or was unreachable before doing anything:
    nothing moved; retrying with the same key is safe), or `PaymentOutcomeUnknownError` (the
    request may have been carried out, e.g. a timeout after it was sent; retrying with the same
    key is safe and is the way to find out).
    """

    def charge(self, request: ChargeRequest) -> Charge: ...

    def refund(self, request: RefundRequest) -> Refund: ...

    def find_charge(self, idempotency_key: str) -> Charge | None:
        """The successful charge made under this key, if any (for reconciliation)."""
        ...

    def get_charge(self, charge_id: str) -> Charge | None: ...

    def charges_since(self, since: datetime) -> Sequence[Charge]:
        """Successful charges created at or after `since`, oldest first (for reconciliation)."""
        ...
