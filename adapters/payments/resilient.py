"""Retries with backoff and a circuit breaker around any payment gateway.

Transient failures (the gateway unreachable, a processing error, a timeout) are retried with the
same idempotency key, so a retry can never charge twice; declines are final and never retried.
The `circuitbreaker` package's breaker counts only those transient failures: while it is open,
calls fail at once with "payment temporarily unavailable" and when to come back.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

from circuitbreaker import STATE_OPEN, CircuitBreaker

from application.errors import PaymentOutcomeUnknownError, PaymentUnavailableError
from application.ports.clock import Clock
from application.ports.payments import (
    Charge,
    ChargeRequest,
    PaymentGateway,
    Refund,
    RefundRequest,
)

T = TypeVar("T")
TRANSIENT = (PaymentUnavailableError, PaymentOutcomeUnknownError)


class ClockedCircuitBreaker(CircuitBreaker):  # type: ignore[misc]
    """The package's breaker, timed by our Clock instead of the process's monotonic clock, so
    that tests drive it with a fixed clock rather than sleeps. Thread-safe. It counts only
    `expected_exception` (by default the payment gateway's transient failures; the reasoning
    fallback counts its own)."""

    def __init__(
        self,
        clock: Clock,
        failure_threshold: int,
        recovery_timeout: float,
        *,
        expected_exception: type[Exception] | tuple[type[Exception], ...] = TRANSIENT,
        name: str = "payment-gateway",
    ) -> None:
        super().__init__(
            failure_threshold=failure_threshold,
            recovery_timeout=recovery_timeout,
            expected_exception=expected_exception,
            name=name,
        )
        self._clock = clock
        self._opened = self._now()
        self._mutex = threading.Lock()

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> Literal[False]:
        with self._mutex:
            super().__exit__(exc_type, exc_value, traceback)
            if self._state == STATE_OPEN and exc_type is not None:
                self._opened = self._now()  # the package stamped its own clock: use ours
        return False

    @property
    def open_remaining(self) -> float:
        return float((self._opened + self._recovery_timeout) - self._now())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries: at most `attempts` tries and `budget` seconds of waiting in all;
    exponential backoff from `first_delay` capped at `max_delay`, with full jitter."""

    attempts: int = 3
    first_delay: float = 0.2
    max_delay: float = 2.0
    budget: float = 5.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0, min(self.max_delay, self.first_delay * (2 ** (attempt - 1))))


class ResilientPaymentGateway:
    """A PaymentGateway that retries transient failures and stops calling a failing gateway."""

    def __init__(
        self,
        inner: PaymentGateway,
        breaker: ClockedCircuitBreaker,
        policy: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._inner = inner
        self.breaker = breaker
        self._policy = policy
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security

    @property
    def state(self) -> str:
        """closed, open or half_open."""
        return str(self.breaker.state)

    def charge(self, request: ChargeRequest) -> Charge:
        return self._call(lambda: self._inner.charge(request))

    def refund(self, request: RefundRequest) -> Refund:
        return self._call(lambda: self._inner.refund(request))

    def find_charge(self, idempotency_key: str) -> Charge | None:
        return self._call(lambda: self._inner.find_charge(idempotency_key))

    def get_charge(self, charge_id: str) -> Charge | None:
        return self._call(lambda: self._inner.get_charge(charge_id))

    def charges_since(self, since: datetime) -> Sequence[Charge]:
        return self._call(lambda: self._inner.charges_since(since))

    def _failing_fast(self) -> PaymentUnavailableError:
        return PaymentUnavailableError(
            "Payment is temporarily unavailable: the payment gateway is failing.",
            retry_after=retry_after_seconds(self.breaker),
        )

    def _call(self, call: Callable[[], T]) -> T:
        waited = 0.0
        attempt = 0
        # Once an answer is lost, money may have moved: giving up must then say "unknown",
        # never "unavailable" (which tells the caller nothing was charged).
        lost: PaymentOutcomeUnknownError | None = None
        while True:
            attempt += 1
            if self.breaker.opened:
                raise lost or self._failing_fast()
            try:
                with self.breaker:
                    return call()
            except TRANSIENT as error:
                if isinstance(error, PaymentOutcomeUnknownError):
                    lost = error
                if self.breaker.opened:  # this failure opened it: no point waiting to retry
                    raise (lost or self._failing_fast()) from error
                delay = self._policy.delay(attempt, self._rng)
                if attempt >= self._policy.attempts or waited + delay > self._policy.budget:
                    if lost is None or lost is error:
                        raise
                    raise lost from error
                self._sleep(delay)
                waited += delay


def retry_after_seconds(breaker: ClockedCircuitBreaker) -> int:
    """Whole seconds until an open breaker lets a call through, rounded up so that a client
    told to come back then does not arrive early."""
    return max(1, math.ceil(breaker.open_remaining))
