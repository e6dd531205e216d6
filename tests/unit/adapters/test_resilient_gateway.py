"""Retries and the circuit breaker around a payment gateway, on a fixed clock and without sleeps.

The gateway under the wrapper is the dummy engine behind a script of failures, so what moved
(charges, refunds) is read from the engine itself; the wrapper's waits go to a sleeper that
records them and moves the fixed clock, which is also the breaker's clock.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.clock import FixedClock
from adapters.payments.dummy import DummyPaymentGateway, Faults
from adapters.payments.resilient import ClockedCircuitBreaker, ResilientPaymentGateway, RetryPolicy
from application.errors import (
    PaymentDeclinedError,
    PaymentOutcomeUnknownError,
    PaymentUnavailableError,
)
from application.ports.payments import Charge, ChargeRequest, Refund, RefundRequest
from domain.cards import PaymentCard
from domain.money import Money
from tests.builders import CARDS
from tests.conftest import NOW

T = TypeVar("T")

DOWN = "down"  # unreachable: fails before the gateway does anything
LOST = "lost"  # the gateway does the work, then the answer is lost (a timeout)
THRESHOLD = 3
RECOVERY = 30.0
NO_WAITS = RetryPolicy(attempts=3, first_delay=0.0, max_delay=0.0, budget=0.0)


@dataclass
class ScriptedGateway:
    """The dummy engine behind failures on demand: each call takes the next fault of `script`
    (then none), and every call fails before reaching the engine while `down` is set."""

    engine: DummyPaymentGateway
    script: list[str] = field(default_factory=list)
    down: bool = False
    calls: list[tuple[str, str]] = field(default_factory=list)  # (operation, key or id)

    def charge(self, request: ChargeRequest) -> Charge:
        return self._run("charge", request.idempotency_key, lambda: self.engine.charge(request))

    def refund(self, request: RefundRequest) -> Refund:
        return self._run("refund", request.idempotency_key, lambda: self.engine.refund(request))

    def find_charge(self, idempotency_key: str) -> Charge | None:
        return self._run(
            "find_charge", idempotency_key, lambda: self.engine.find_charge(idempotency_key)
        )

    def get_charge(self, charge_id: str) -> Charge | None:
        return self._run("get_charge", charge_id, lambda: self.engine.get_charge(charge_id))

    def charges_since(self, since: datetime) -> Sequence[Charge]:
        return self._run("charges_since", "", lambda: self.engine.charges_since(since))

    def _run(self, operation: str, key: str, call: Callable[[], T]) -> T:
        self.calls.append((operation, key))
        fault = self.script.pop(0) if self.script else None
        if self.down or fault == DOWN:
            raise PaymentUnavailableError("The payment gateway is unreachable.")
        result = call()
        if fault == LOST:
            raise PaymentOutcomeUnknownError()
        return result

    def keys(self, operation: str = "charge") -> list[str]:
        return [key for done, key in self.calls if done == operation]


@dataclass
class Sleeper:
    """Stands in for time.sleep: records each wait and moves the fixed clock by it."""

    clock: FixedClock
    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(timedelta(seconds=seconds))


class TopOfRange(random.Random):
    """Jitter that always draws the top of its range, to read the backoff's caps."""

    def uniform(self, a: float, b: float) -> float:
        return b


@dataclass
class Rig:
    clock: FixedClock
    engine: DummyPaymentGateway
    gateway: ScriptedGateway
    breaker: ClockedCircuitBreaker
    resilient: ResilientPaymentGateway
    sleeper: Sleeper

    def charges_made(self) -> list[Charge]:
        return list(self.engine.charges_since(NOW - timedelta(days=1)))

    def fail_transiently(self, times: int) -> None:
        """`times` transient failures in a row, counted by the breaker: one try per payment,
        through a wrapper that shares the breaker but does not retry."""
        one_try = ResilientPaymentGateway(self.gateway, self.breaker, RetryPolicy(attempts=1))
        for _ in range(times):
            self.gateway.script.append(DOWN)
            with pytest.raises(PaymentUnavailableError):
                one_try.charge(a_charge())


def rig(
    policy: RetryPolicy = NO_WAITS,
    threshold: int = THRESHOLD,
    rng: random.Random | None = None,
) -> Rig:
    clock = FixedClock(NOW)
    engine = DummyPaymentGateway(clock, sleep=lambda _: None)
    gateway = ScriptedGateway(engine)
    breaker = ClockedCircuitBreaker(clock, failure_threshold=threshold, recovery_timeout=RECOVERY)
    sleeper = Sleeper(clock)
    resilient = ResilientPaymentGateway(
        gateway, breaker, policy, sleep=sleeper, rng=rng or random.Random(7)
    )
    return Rig(clock, engine, gateway, breaker, resilient, sleeper)


def a_charge(number: str = CARDS["success"]) -> ChargeRequest:
    return ChargeRequest(
        idempotency_key=f"upgrade-{uuid.uuid4()}-attempt-1",
        amount=Money.of("50.00", "USD"),
        card=PaymentCard(number, 12, 2030, "123", "Ana Test"),
        description="Upgrade to Non-stop",
        metadata={"order_id": "order-1"},
    )


def cap(policy: RetryPolicy, attempt: int) -> float:
    """The most the wait after try `attempt` may be."""
    return min(policy.max_delay, policy.first_delay * 2.0 ** (attempt - 1))


# -- retries ------------------------------------------------------------------------------------


def test_two_transient_failures_then_success_charge_once_under_one_key() -> None:
    policy = RetryPolicy(attempts=3, first_delay=0.2, max_delay=2.0, budget=5.0)
    subject = rig(policy, threshold=5)
    subject.gateway.script = [DOWN, DOWN]
    request = a_charge()

    charge = subject.resilient.charge(request)

    assert subject.gateway.keys() == [request.idempotency_key] * 3
    assert subject.charges_made() == [charge]
    assert charge.idempotency_key == request.idempotency_key
    assert len(subject.sleeper.waits) == 2
    assert subject.resilient.state == "closed"  # a success wipes the failures out


def test_backoff_doubles_from_the_first_delay_up_to_the_max_delay() -> None:
    """Read at the top of the jitter range, the waits are the caps themselves."""
    policy = RetryPolicy(attempts=7, first_delay=0.2, max_delay=2.0, budget=100.0)
    subject = rig(policy, threshold=100, rng=TopOfRange())
    subject.gateway.down = True

    with pytest.raises(PaymentUnavailableError):
        subject.resilient.charge(a_charge())

    assert subject.sleeper.waits == pytest.approx([0.2, 0.4, 0.8, 1.6, 2.0, 2.0])


@pytest.mark.parametrize("seed", range(20))
def test_each_wait_is_drawn_with_full_jitter_below_its_cap(seed: int) -> None:
    policy = RetryPolicy(attempts=6, first_delay=0.2, max_delay=2.0, budget=100.0)
    subject = rig(policy, threshold=100, rng=random.Random(seed))
    subject.gateway.down = True

    with pytest.raises(PaymentUnavailableError):
        subject.resilient.charge(a_charge())

    waits = subject.sleeper.waits
    assert len(waits) == policy.attempts - 1
    for attempt, wait in enumerate(waits, start=1):
        assert 0 <= wait <= cap(policy, attempt)
    # Full jitter: random within the range, not the cap itself (else clients retry in step).
    assert any(wait < cap(policy, attempt) for attempt, wait in enumerate(waits, start=1))


@given(
    attempt=st.integers(min_value=1, max_value=40),
    first_delay=st.floats(min_value=0, max_value=5),
    max_delay=st.floats(min_value=0, max_value=30),
    seed=st.integers(),
)
def test_a_delay_is_never_negative_nor_above_its_cap(
    attempt: int, first_delay: float, max_delay: float, seed: int
) -> None:
    policy = RetryPolicy(first_delay=first_delay, max_delay=max_delay)

    delay = policy.delay(attempt, random.Random(seed))

    assert 0 <= delay <= cap(policy, attempt)


def test_a_gateway_that_keeps_failing_is_unavailable_after_the_attempts_and_charges_nothing() -> (
    None
):
    policy = RetryPolicy(attempts=4, first_delay=0.1, max_delay=1.0, budget=10.0)
    subject = rig(policy, threshold=10)
    subject.gateway.down = True
    request = a_charge()

    with pytest.raises(PaymentUnavailableError) as raised:
        subject.resilient.charge(request)

    assert subject.gateway.keys() == [request.idempotency_key] * 4
    assert subject.charges_made() == []
    assert raised.value.code == "payment_unavailable"
    assert "nothing was charged" in raised.value.guidance.lower()
    assert "try again" in raised.value.guidance.lower()
    assert raised.value.retry_after > 0


@given(
    attempts=st.integers(min_value=1, max_value=30),
    first_delay=st.floats(min_value=0, max_value=3),
    max_delay=st.floats(min_value=0, max_value=5),
    budget=st.floats(min_value=0, max_value=8),
    seed=st.integers(),
)
def test_the_total_wait_never_exceeds_the_retry_budget(
    attempts: int, first_delay: float, max_delay: float, budget: float, seed: int
) -> None:
    policy = RetryPolicy(attempts, first_delay, max_delay, budget)
    subject = rig(policy, threshold=1000, rng=random.Random(seed))
    subject.gateway.down = True

    with pytest.raises(PaymentUnavailableError):
        subject.resilient.charge(a_charge())

    assert sum(subject.sleeper.waits) <= budget
    assert len(subject.gateway.calls) <= attempts
    assert len(subject.sleeper.waits) == len(subject.gateway.calls) - 1  # no wait after giving up


def test_the_retries_stop_short_of_the_attempts_when_the_next_wait_would_break_the_budget() -> None:
    policy = RetryPolicy(attempts=10, first_delay=1.0, max_delay=4.0, budget=5.0)
    subject = rig(policy, threshold=100, rng=TopOfRange())
    subject.gateway.down = True

    with pytest.raises(PaymentUnavailableError):
        subject.resilient.charge(a_charge())

    # 1 + 2 waited; the next wait (4) would make 7 > 5: give up after the third try.
    assert subject.sleeper.waits == [1.0, 2.0]
    assert len(subject.gateway.calls) == 3


# -- lost answers (timeouts): money may have moved -------------------------------------------


def test_a_lost_answer_is_retried_with_the_same_key_and_returns_the_charge_already_made() -> None:
    subject = rig()
    subject.gateway.script = [LOST]
    request = a_charge()

    charge = subject.resilient.charge(request)

    assert subject.gateway.keys() == [request.idempotency_key] * 2
    assert subject.charges_made() == [charge]  # the first try's charge, not a second one


def test_answers_lost_on_every_try_end_as_an_unknown_outcome_with_a_single_charge() -> None:
    """The dummy's own timeout fault: each try is carried out, each answer lost. The caller must
    hear "outcome unknown" (keep the order processing), never "unavailable" (payable again)."""
    subject = rig(threshold=10)
    subject.engine.faults = Faults(timeout_rate=1.0)
    request = a_charge()

    with pytest.raises(PaymentOutcomeUnknownError):
        subject.resilient.charge(request)

    assert subject.gateway.keys() == [request.idempotency_key] * 3
    subject.engine.faults = Faults()
    assert len(subject.charges_made()) == 1


def test_a_lost_answer_followed_by_an_unreachable_gateway_is_still_an_unknown_outcome() -> None:
    """The first try charged the card; the later ones never reached the gateway. Saying
    "nothing was charged" would put the order back on sale while the money is taken."""
    subject = rig(threshold=10)
    subject.gateway.script = [LOST, DOWN, DOWN]

    with pytest.raises(PaymentOutcomeUnknownError):
        subject.resilient.charge(a_charge())

    assert len(subject.charges_made()) == 1


def test_a_lost_answer_that_opens_the_breaker_is_still_an_unknown_outcome() -> None:
    subject = rig(threshold=1)
    subject.gateway.script = [LOST]

    with pytest.raises(PaymentOutcomeUnknownError):
        subject.resilient.charge(a_charge())

    assert subject.resilient.state == "open"
    assert len(subject.gateway.calls) == 1
    assert len(subject.charges_made()) == 1


# -- declines -----------------------------------------------------------------------------------


@pytest.mark.parametrize("decline", ["card_declined", "insufficient_funds", "incorrect_cvc"])
def test_a_decline_is_final_and_never_retried(decline: str) -> None:
    subject = rig(RetryPolicy(attempts=5, first_delay=0.1, budget=10.0))

    with pytest.raises(PaymentDeclinedError) as raised:
        subject.resilient.charge(a_charge(CARDS[decline]))

    assert raised.value.decline_code == decline
    assert len(subject.gateway.calls) == 1
    assert subject.sleeper.waits == []


def test_declines_in_a_row_never_open_the_breaker() -> None:
    subject = rig()

    for _ in range(THRESHOLD * 4):
        with pytest.raises(PaymentDeclinedError):
            subject.resilient.charge(a_charge(CARDS["card_declined"]))

    assert subject.resilient.state == "closed"
    assert len(subject.gateway.calls) == THRESHOLD * 4  # every one reached the gateway
    assert subject.resilient.charge(a_charge()) in subject.charges_made()


def test_a_decline_between_transient_failures_is_an_answer_and_restarts_the_count() -> None:
    """The breaker counts consecutive failures: a gateway that declines is a gateway that works."""
    subject = rig()
    subject.fail_transiently(THRESHOLD - 1)
    with pytest.raises(PaymentDeclinedError):
        subject.resilient.charge(a_charge(CARDS["card_declined"]))

    subject.fail_transiently(THRESHOLD - 1)

    assert subject.resilient.state == "closed"


# -- the circuit breaker ------------------------------------------------------------------------


def test_the_breaker_opens_after_the_threshold_of_consecutive_transient_failures() -> None:
    subject = rig()

    subject.fail_transiently(THRESHOLD - 1)
    assert subject.resilient.state == "closed"
    subject.fail_transiently(1)

    assert subject.resilient.state == "open"


def test_a_success_between_failures_restarts_the_count() -> None:
    subject = rig()
    subject.fail_transiently(THRESHOLD - 1)
    subject.resilient.charge(a_charge())

    subject.fail_transiently(THRESHOLD - 1)

    assert subject.resilient.state == "closed"


def test_an_open_breaker_fails_fast_without_calling_the_gateway_and_says_when_to_return() -> None:
    subject = rig()
    subject.fail_transiently(THRESHOLD)
    calls = len(subject.gateway.calls)
    subject.clock.advance(timedelta(seconds=12))

    with pytest.raises(PaymentUnavailableError) as raised:
        subject.resilient.charge(a_charge())

    assert len(subject.gateway.calls) == calls  # the gateway was not called
    assert subject.sleeper.waits == []  # and nobody waited for it
    assert raised.value.retry_after == RECOVERY - 12
    assert subject.breaker.open_remaining == RECOVERY - 12
    assert "temporarily unavailable" in raised.value.message.lower()
    assert "try again" in raised.value.guidance.lower()
    assert subject.charges_made() == []


def test_the_breaker_runs_on_the_clock_it_is_given() -> None:
    """Opened at the fixed clock's time: no real time passes, so it stays open until the fixed
    clock moves past the recovery timeout."""
    subject = rig()
    subject.fail_transiently(THRESHOLD)

    subject.clock.advance(timedelta(seconds=RECOVERY - 1))
    assert subject.resilient.state == "open"
    subject.clock.advance(timedelta(seconds=1))
    assert subject.resilient.state == "half_open"


def test_after_the_recovery_timeout_one_successful_call_closes_the_breaker() -> None:
    subject = rig()
    subject.fail_transiently(THRESHOLD)
    subject.clock.advance(timedelta(seconds=RECOVERY + 1))
    assert subject.resilient.state == "half_open"
    calls = len(subject.gateway.calls)

    charge = subject.resilient.charge(a_charge())

    assert len(subject.gateway.calls) == calls + 1  # half-open lets the trial call through
    assert subject.charges_made() == [charge]
    assert subject.resilient.state == "closed"
    # Closed means counting from zero again, not one failure away from opening.
    subject.fail_transiently(THRESHOLD - 1)
    assert subject.resilient.state == "closed"


def test_a_failure_while_half_open_opens_the_breaker_again_for_a_whole_recovery_timeout() -> None:
    subject = rig()
    subject.fail_transiently(THRESHOLD)
    subject.clock.advance(timedelta(seconds=RECOVERY + 1))
    calls = len(subject.gateway.calls)
    subject.gateway.down = True

    with pytest.raises(PaymentUnavailableError) as raised:
        subject.resilient.charge(a_charge())

    # One trial call, then no more retries against a gateway that just failed it again.
    assert len(subject.gateway.calls) == calls + 1
    assert subject.resilient.state == "open"
    assert raised.value.retry_after == RECOVERY  # counted from the new failure, not the old one
    subject.clock.advance(timedelta(seconds=RECOVERY - 1))
    assert subject.resilient.state == "open"
    subject.clock.advance(timedelta(seconds=1))
    assert subject.resilient.state == "half_open"


def test_the_breaker_opening_during_the_retries_stops_them() -> None:
    subject = rig(RetryPolicy(attempts=10, first_delay=0.0, budget=10.0), threshold=THRESHOLD)
    subject.gateway.down = True

    with pytest.raises(PaymentUnavailableError) as raised:
        subject.resilient.charge(a_charge())

    assert len(subject.gateway.calls) == THRESHOLD
    assert raised.value.retry_after == RECOVERY


# -- refunds and lookups go through the same retries and breaker -------------------------------


def test_a_refund_whose_answer_is_lost_is_retried_with_its_key_and_refunds_once() -> None:
    subject = rig()
    charge = subject.resilient.charge(a_charge())
    subject.gateway.script = [LOST]
    request = RefundRequest(f"refund-{charge.id}", charge.id)

    refund = subject.resilient.refund(request)

    assert subject.gateway.keys("refund") == [request.idempotency_key] * 2
    assert refund.charge_id == charge.id
    assert refund.amount == charge.amount
    assert subject.engine.refund(request) == refund  # the one refund the key ever makes
    refunded = subject.engine.get_charge(charge.id)
    assert refunded is not None
    assert refunded.refunded == charge.amount


LOOKUPS: dict[str, Callable[[ResilientPaymentGateway, Charge], Any]] = {
    "find_charge": lambda gateway, charge: gateway.find_charge(charge.idempotency_key),
    "get_charge": lambda gateway, charge: gateway.get_charge(charge.id),
    "charges_since": lambda gateway, charge: next(iter(gateway.charges_since(charge.created_at))),
}


@pytest.mark.parametrize("lookup", LOOKUPS.values(), ids=LOOKUPS.keys())
def test_a_lookup_is_retried_through_transient_failures(
    lookup: Callable[[ResilientPaymentGateway, Charge], Any],
) -> None:
    subject = rig()
    charge = subject.resilient.charge(a_charge())
    subject.gateway.script = [DOWN, DOWN]
    before = len(subject.gateway.calls)

    found = lookup(subject.resilient, charge)

    assert found == charge
    assert len(subject.gateway.calls) == before + 3


OPERATIONS: dict[str, Callable[[ResilientPaymentGateway], Any]] = {
    "charge": lambda gateway: gateway.charge(a_charge()),
    "refund": lambda gateway: gateway.refund(RefundRequest("refund-ch_1", "ch_1")),
    "find_charge": lambda gateway: gateway.find_charge("upgrade-1-attempt-1"),
    "get_charge": lambda gateway: gateway.get_charge("ch_1"),
    "charges_since": lambda gateway: gateway.charges_since(NOW),
}


@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=OPERATIONS.keys())
def test_every_operation_fails_fast_while_the_breaker_is_open(
    operation: Callable[[ResilientPaymentGateway], Any],
) -> None:
    subject = rig()
    subject.fail_transiently(THRESHOLD)
    calls = len(subject.gateway.calls)

    with pytest.raises(PaymentUnavailableError):
        operation(subject.resilient)

    assert len(subject.gateway.calls) == calls
