"""The dummy payment gateway: Stripe's test-mode behaviour, in process, moving no money.

It is also the engine of the dummy gateway service (`tap gateway`), which serves it over HTTP,
and it fails on demand (`Faults`), so retries, the circuit breaker and reconciliation can be
exercised against the real thing rather than a mock.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import random
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from application.errors import (
    IdempotencyKeyReusedError,
    PaymentDeclinedError,
    PaymentOutcomeUnknownError,
    PaymentUnavailableError,
)
from application.ports.clock import Clock
from application.ports.payments import Charge, ChargeRequest, Refund, RefundRequest
from domain.cards import luhn_valid
from domain.errors import BusinessRuleError, InvalidInputError, NotFoundError

log = logging.getLogger(__name__)

# The test cards of DOMAIN.md; any other Luhn-valid number succeeds.
DECLINES = {
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired_card",
    "4000000000000127": "incorrect_cvc",
}
PROCESSING_ERROR = "4000000000000119"


@dataclass(slots=True)
class Faults:
    """Failures produced on demand, by configuration or the service's admin call.

    `error_rate` and `outage` fail a call before it is processed (nothing moves);
    `timeout_rate` processes the call, then answers as if it timed out (money moved, the caller
    does not know): the case only a retry with the same key, or reconciliation, can settle.
    """

    latency: float = 0.0
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    outage: bool = False

    def __post_init__(self) -> None:
        if self.latency < 0 or not (0 <= self.error_rate <= 1 and 0 <= self.timeout_rate <= 1):
            raise InvalidInputError(
                "invalid_faults", "Latency must be >= 0 and rates between 0 and 1."
            )


@dataclass(frozen=True, slots=True)
class _Outcome:
    fingerprint: str
    charge_id: str | None
    decline_code: str | None


@dataclass(slots=True)
class _Ledger:
    outcomes: dict[str, _Outcome] = field(default_factory=dict)  # charge key -> outcome
    charges: dict[str, Charge] = field(default_factory=dict)  # charge id -> charge
    refunds: dict[str, Refund] = field(default_factory=dict)  # refund key -> refund


class DummyPaymentGateway:
    """Charges and refunds keyed by idempotency key: a replay returns the first outcome, a key
    reused with other parameters is refused. Transient errors are not remembered, so a retry
    runs again."""

    def __init__(
        self,
        clock: Clock,
        faults: Faults | None = None,
        rng: random.Random | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self.faults = faults or Faults()
        self._rng = rng or random.Random()  # noqa: S311 - fault injection, not security
        self._sleep = sleep
        self._ledger = _Ledger()
        self._lock = threading.Lock()
        # Card numbers only ever enter a keyed digest that dies with the process.
        self._secret = secrets.token_bytes(32)

    # -- charges ----------------------------------------------------------------------------

    def charge(self, request: ChargeRequest) -> Charge:
        if not request.amount.is_positive:
            raise InvalidInputError("invalid_amount", "A charge must be for a positive amount.")
        self._disturb()
        fingerprint = self._fingerprint(request)
        with self._lock:
            known = self._ledger.outcomes.get(request.idempotency_key)
            if known is None:
                known = self._decide(request, fingerprint)
                self._ledger.outcomes[request.idempotency_key] = known
        self._maybe_time_out()
        return self._replay(known, fingerprint)

    def find_charge(self, idempotency_key: str) -> Charge | None:
        self._disturb()
        with self._lock:
            known = self._ledger.outcomes.get(idempotency_key)
            return self._ledger.charges.get(known.charge_id or "") if known else None

    def get_charge(self, charge_id: str) -> Charge | None:
        self._disturb()
        with self._lock:
            return self._ledger.charges.get(charge_id)

    def charges_since(self, since: datetime) -> Sequence[Charge]:
        self._disturb()
        with self._lock:
            found = [c for c in self._ledger.charges.values() if c.created_at >= since]
        return sorted(found, key=lambda charge: (charge.created_at, charge.id))

    # -- refunds ----------------------------------------------------------------------------

    def refund(self, request: RefundRequest) -> Refund:
        self._disturb()
        with self._lock:
            known = self._ledger.refunds.get(request.idempotency_key)
            if known is not None:
                if known.charge_id != request.charge_id:
                    raise IdempotencyKeyReusedError(
                        "idempotency_key_reused",
                        "This refund key was already used for another charge.",
                        "Use a new key for a new refund.",
                    )
                refund = known
            else:
                refund = self._make_refund(request)
        self._maybe_time_out()
        return refund

    def _make_refund(self, request: RefundRequest) -> Refund:
        charge = self._ledger.charges.get(request.charge_id)
        if charge is None:
            raise NotFoundError("no_such_charge", f"No charge {request.charge_id}.")
        if charge.refunded is not None:
            raise BusinessRuleError(
                "charge_already_refunded", f"Charge {charge.id} was already refunded."
            )
        refund = Refund(
            id=f"re_{secrets.token_hex(12)}",
            charge_id=charge.id,
            amount=charge.amount,
            idempotency_key=request.idempotency_key,
            created_at=self._clock.now(),
        )
        self._ledger.refunds[request.idempotency_key] = refund
        self._ledger.charges[charge.id] = dataclasses.replace(charge, refunded=charge.amount)
        return refund

    # -- internals --------------------------------------------------------------------------

    def _disturb(self) -> None:
        """The faults that strike before a request is processed."""
        faults = self.faults
        if faults.latency:
            self._sleep(faults.latency)
        if faults.outage:
            raise PaymentUnavailableError("The payment gateway is unreachable.")
        if faults.error_rate and self._rng.random() < faults.error_rate:
            raise PaymentUnavailableError("The payment gateway had a transient error.")

    def _maybe_time_out(self) -> None:
        """The fault that strikes after: the work is done, the answer is lost."""
        rate = self.faults.timeout_rate
        if rate and self._rng.random() < rate:
            raise PaymentOutcomeUnknownError("The payment gateway did not answer in time.")

    def _decide(self, request: ChargeRequest, fingerprint: str) -> _Outcome:
        number = request.card.number
        # isdigit() alone lets through non-ASCII digits ("²"), on which luhn_valid's int() fails.
        if not (number.isascii() and number.isdigit() and luhn_valid(number)):
            return _Outcome(fingerprint, None, "incorrect_number")
        if number == PROCESSING_ERROR:
            log.info("dummy gateway: processing error", extra={"key": request.idempotency_key})
            raise PaymentUnavailableError("The payment processor had an error.")
        decline = DECLINES.get(number)
        if decline is not None:
            return _Outcome(fingerprint, None, decline)
        charge = Charge(
            id=f"ch_{secrets.token_hex(12)}",
            amount=request.amount,
            brand=request.card.brand,
            last4=request.card.last4,
            idempotency_key=request.idempotency_key,
            created_at=self._clock.now(),
            metadata=dict(request.metadata),
        )
        self._ledger.charges[charge.id] = charge
        return _Outcome(fingerprint, charge.id, None)

    def _replay(self, outcome: _Outcome, fingerprint: str) -> Charge:
        if not hmac.compare_digest(outcome.fingerprint, fingerprint):
            raise IdempotencyKeyReusedError(
                "idempotency_key_reused",
                "This payment key was already used for a different charge.",
                "Start a new payment attempt.",
            )
        if outcome.charge_id is not None:
            with self._lock:
                return self._ledger.charges[outcome.charge_id]
        code = outcome.decline_code or "card_declined"
        raise PaymentDeclinedError(code, "The card was declined.", "Try another card.")

    def _fingerprint(self, request: ChargeRequest) -> str:
        card = request.card
        material = "|".join(
            (
                str(request.amount.to_minor_units()),
                request.amount.currency,
                card.number,
                str(card.exp_month),
                str(card.exp_year),
                card.cvc,
            )
        )
        return hmac.new(self._secret, material.encode(), hashlib.sha256).hexdigest()
