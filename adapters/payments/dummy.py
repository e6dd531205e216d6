"""The dummy payment gateway: Stripe's test-mode behaviour, in process, moving no money."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from dataclasses import dataclass

from application.errors import (
    IdempotencyKeyReusedError,
    PaymentDeclinedError,
    PaymentUnavailableError,
)
from application.ports.clock import Clock
from application.ports.payments import Charge, ChargeRequest
from domain.cards import luhn_valid
from domain.errors import InvalidInputError

log = logging.getLogger(__name__)

# The test cards of DOMAIN.md; any other Luhn-valid number succeeds.
DECLINES = {
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired_card",
    "4000000000000127": "incorrect_cvc",
}
PROCESSING_ERROR = "4000000000000119"


@dataclass(frozen=True, slots=True)
class _Outcome:
    fingerprint: str
    charge: Charge | None
    decline_code: str | None


class DummyPaymentGateway:
    """Charges keyed by idempotency key: a replay returns the first outcome, a key reused with
    other parameters is refused. Transient errors are not remembered, so a retry runs again."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._outcomes: dict[str, _Outcome] = {}
        self._lock = threading.Lock()
        # Card numbers only ever enter a keyed digest that dies with the process.
        self._secret = secrets.token_bytes(32)

    def charge(self, request: ChargeRequest) -> Charge:
        if not request.amount.is_positive:
            raise InvalidInputError("invalid_amount", "A charge must be for a positive amount.")
        fingerprint = self._fingerprint(request)
        with self._lock:
            known = self._outcomes.get(request.idempotency_key)
            if known is not None:
                return self._replay(known, fingerprint)
            outcome = self._decide(request, fingerprint)
            self._outcomes[request.idempotency_key] = outcome
        return self._replay(outcome, fingerprint)

    def find_charge(self, idempotency_key: str) -> Charge | None:
        with self._lock:
            known = self._outcomes.get(idempotency_key)
        return known.charge if known is not None else None

    def _decide(self, request: ChargeRequest, fingerprint: str) -> _Outcome:
        number = request.card.number
        if not (number.isdigit() and luhn_valid(number)):
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
        )
        return _Outcome(fingerprint, charge, None)

    @staticmethod
    def _replay(outcome: _Outcome, fingerprint: str) -> Charge:
        if not hmac.compare_digest(outcome.fingerprint, fingerprint):
            raise IdempotencyKeyReusedError(
                "idempotency_key_reused",
                "This payment key was already used for a different charge.",
                "Start a new payment attempt.",
            )
        if outcome.charge is not None:
            return outcome.charge
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
