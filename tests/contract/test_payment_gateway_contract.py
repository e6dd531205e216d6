"""The PaymentGateway contract: idempotent charges and refunds, declines, faults, lookups.

One suite, three gateways: the dummy engine in process, the HTTP client talking to the dummy
gateway service over a real socket, and the resilient wrapper (retries, circuit breaker) around
the engine. Whatever a use case may rely on must hold for all three.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import httpx
import pytest

from adapters.clock import FixedClock
from adapters.payments.dummy import DECLINES, PROCESSING_ERROR, DummyPaymentGateway, Faults
from adapters.payments.http_gateway import HttpPaymentGateway
from adapters.payments.resilient import ClockedCircuitBreaker, ResilientPaymentGateway, RetryPolicy
from application.errors import (
    IdempotencyKeyReusedError,
    PaymentDeclinedError,
    PaymentOutcomeUnknownError,
    PaymentUnavailableError,
)
from application.ports.payments import ChargeRequest, PaymentGateway, RefundRequest
from domain.cards import PaymentCard
from domain.errors import BusinessRuleError, NotFoundError
from domain.money import Money
from infra.gateway_service import create_gateway_app
from tests.conftest import NOW
from tests.support.live_http import uvicorn_in_thread

GOOD = "4242424242424242"
OTHER_GOOD = "5555555555554444"
ADMIN_TOKEN = "contract-admin-token"
CLIENT_TIMEOUT = 0.5  # the service hangs longer than this on the timeout fault
HANG_SECONDS = 2.0


def card(number: str = GOOD) -> PaymentCard:
    return PaymentCard(number, 12, 2030, "123", "Alice Rivera")


def a_charge(number: str = GOOD, amount: str = "31.25", key: str | None = None) -> ChargeRequest:
    return ChargeRequest(
        idempotency_key=key or f"ch-{uuid.uuid4()}",
        amount=Money.of(amount, "USD"),
        card=card(number),
        description="Upgrade to Non-stop",
        metadata={"order": "order-1"},
    )


def a_refund(charge_id: str, key: str | None = None) -> RefundRequest:
    return RefundRequest(idempotency_key=key or f"re-{uuid.uuid4()}", charge_id=charge_id)


@dataclass(frozen=True)
class Subject:
    """A gateway under test, the clock its charges are stamped with, and a way to inject
    faults into it (directly, or through the service's admin route)."""

    gateway: PaymentGateway
    clock: FixedClock
    set_faults: Callable[[Faults], None]

    def fresh_moment(self) -> datetime:
        """A time after every charge made so far (the HTTP server lives for the module)."""
        self.clock.advance(timedelta(hours=1))
        return self.clock.now()


class PaymentGatewayContract:
    @pytest.fixture
    def subject(self) -> Subject:
        raise NotImplementedError("an adapter's suite provides the gateway")

    # -- charges ----------------------------------------------------------------------------

    def test_a_good_card_is_charged(self, subject: Subject) -> None:
        request = a_charge()

        charge = subject.gateway.charge(request)

        assert (charge.amount, charge.brand, charge.last4) == (
            Money.of("31.25", "USD"),
            "visa",
            "4242",
        )
        assert charge.idempotency_key == request.idempotency_key
        assert charge.metadata == {"order": "order-1"}
        assert charge.refunded is None
        assert charge.created_at == subject.clock.now()

    def test_a_replay_returns_the_same_charge_and_charges_once(self, subject: Subject) -> None:
        since = subject.fresh_moment()
        request = a_charge()

        first = subject.gateway.charge(request)
        again = subject.gateway.charge(request)

        assert again == first
        assert [c.id for c in subject.gateway.charges_since(since)] == [first.id]

    @pytest.mark.parametrize(
        "changed", [{"number": OTHER_GOOD}, {"amount": "31.26"}], ids=["card", "amount"]
    )
    def test_a_key_reused_for_another_charge_is_refused(
        self, subject: Subject, changed: dict[str, str]
    ) -> None:
        first = a_charge()
        subject.gateway.charge(first)

        with pytest.raises(IdempotencyKeyReusedError):
            subject.gateway.charge(a_charge(key=first.idempotency_key, **changed))

    @pytest.mark.parametrize(("number", "code"), sorted(DECLINES.items()))
    def test_a_test_card_is_declined_with_its_code_and_again_on_a_replay(
        self, subject: Subject, number: str, code: str
    ) -> None:
        request = a_charge(number)

        with pytest.raises(PaymentDeclinedError) as first:
            subject.gateway.charge(request)
        with pytest.raises(PaymentDeclinedError) as replay:
            subject.gateway.charge(request)

        assert first.value.decline_code == replay.value.decline_code == code
        assert subject.gateway.find_charge(request.idempotency_key) is None

    def test_a_processing_error_charges_nothing_and_is_not_remembered(
        self, subject: Subject
    ) -> None:
        failing = a_charge(PROCESSING_ERROR)

        with pytest.raises(PaymentUnavailableError):
            subject.gateway.charge(failing)

        assert subject.gateway.find_charge(failing.idempotency_key) is None
        # Had the failure been remembered, another card under the key would be "reused".
        retried = subject.gateway.charge(a_charge(OTHER_GOOD, key=failing.idempotency_key))
        assert retried.last4 == "4444"

    # -- refunds ----------------------------------------------------------------------------

    def test_a_refund_gives_the_whole_amount_back(self, subject: Subject) -> None:
        charge = subject.gateway.charge(a_charge())

        refund = subject.gateway.refund(a_refund(charge.id))

        assert (refund.charge_id, refund.amount) == (charge.id, charge.amount)
        refunded = subject.gateway.get_charge(charge.id)
        assert refunded is not None
        assert refunded.refunded == charge.amount

    def test_a_refund_replay_returns_the_same_refund(self, subject: Subject) -> None:
        charge = subject.gateway.charge(a_charge())
        request = a_refund(charge.id)

        first = subject.gateway.refund(request)
        again = subject.gateway.refund(request)

        assert again.id == first.id

    def test_a_second_refund_under_another_key_is_refused(self, subject: Subject) -> None:
        charge = subject.gateway.charge(a_charge())
        subject.gateway.refund(a_refund(charge.id))

        with pytest.raises(BusinessRuleError) as refused:
            subject.gateway.refund(a_refund(charge.id))

        assert refused.value.code == "charge_already_refunded"

    def test_refunding_an_unknown_charge_is_not_found(self, subject: Subject) -> None:
        with pytest.raises(NotFoundError):
            subject.gateway.refund(a_refund("ch_unknown"))

    def test_a_refund_key_reused_for_another_charge_is_refused(self, subject: Subject) -> None:
        first = subject.gateway.charge(a_charge())
        second = subject.gateway.charge(a_charge())
        request = a_refund(first.id)
        subject.gateway.refund(request)

        with pytest.raises(IdempotencyKeyReusedError):
            subject.gateway.refund(a_refund(second.id, key=request.idempotency_key))

    # -- lookups ----------------------------------------------------------------------------

    def test_find_charge_finds_a_charge_by_its_key_only(self, subject: Subject) -> None:
        charge = subject.gateway.charge(a_charge())

        assert subject.gateway.find_charge(charge.idempotency_key) == charge
        assert subject.gateway.find_charge(f"unknown-{uuid.uuid4()}") is None

    def test_get_charge_finds_a_charge_by_its_id_only(self, subject: Subject) -> None:
        charge = subject.gateway.charge(a_charge())

        assert subject.gateway.get_charge(charge.id) == charge
        assert subject.gateway.get_charge("ch_unknown") is None

    def test_charges_since_lists_the_later_charges_oldest_first(self, subject: Subject) -> None:
        before = subject.gateway.charge(a_charge())
        first_at = subject.fresh_moment()
        first = subject.gateway.charge(a_charge())
        second_at = subject.fresh_moment()
        second = subject.gateway.charge(a_charge(OTHER_GOOD))
        with pytest.raises(PaymentDeclinedError):
            subject.gateway.charge(a_charge("4000000000000002"))

        listed = subject.gateway.charges_since(first_at)

        assert [c.id for c in listed] == [first.id, second.id]
        assert [c.id for c in subject.gateway.charges_since(second_at)] == [second.id]
        assert before.id not in {c.id for c in listed}

    # -- faults -----------------------------------------------------------------------------

    def test_during_an_outage_nothing_is_charged(self, subject: Subject) -> None:
        since = subject.fresh_moment()
        request = a_charge()
        subject.set_faults(Faults(outage=True))

        with pytest.raises(PaymentUnavailableError):
            subject.gateway.charge(request)

        subject.set_faults(Faults())
        assert subject.gateway.find_charge(request.idempotency_key) is None
        assert list(subject.gateway.charges_since(since)) == []

    def test_a_timeout_leaves_a_charge_that_the_same_key_finds(self, subject: Subject) -> None:
        request = a_charge()
        subject.set_faults(Faults(timeout_rate=1.0))

        with pytest.raises(PaymentOutcomeUnknownError):
            subject.gateway.charge(request)

        subject.set_faults(Faults())
        found = subject.gateway.find_charge(request.idempotency_key)
        assert found is not None
        assert subject.gateway.charge(request).id == found.id


# -- (a) the engine, in process -----------------------------------------------------------------


class TestDummyPaymentGateway(PaymentGatewayContract):
    @pytest.fixture
    def subject(self, clock: FixedClock) -> Subject:
        engine = DummyPaymentGateway(clock, sleep=lambda _: None)
        return Subject(engine, clock, lambda faults: setattr(engine, "faults", faults))


# -- (b) the HTTP client and the service, over a socket -----------------------------------------


@dataclass(frozen=True)
class LiveService:
    base_url: str
    clock: FixedClock


@pytest.fixture(scope="module")
def live_service() -> Iterator[LiveService]:
    """One server for the module (starting one per test would dominate the run); tests keep
    apart by their fresh keys and by moving the shared clock on."""
    clock = FixedClock(NOW)
    engine = DummyPaymentGateway(clock, sleep=lambda _: None)
    app = create_gateway_app(engine, ADMIN_TOKEN, hang_seconds=HANG_SECONDS)
    with uvicorn_in_thread(app, path="/health") as port:
        yield LiveService(f"http://127.0.0.1:{port}", clock)


class TestHttpPaymentGateway(PaymentGatewayContract):
    @pytest.fixture
    def subject(self, live_service: LiveService) -> Iterator[Subject]:
        admin = httpx.Client(
            base_url=live_service.base_url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        )

        def set_faults(faults: Faults) -> None:
            admin.put("/admin/faults", json=asdict(faults)).raise_for_status()

        set_faults(Faults())
        gateway = HttpPaymentGateway(live_service.base_url, timeout=CLIENT_TIMEOUT)
        yield Subject(gateway, live_service.clock, set_faults)
        set_faults(Faults())
        gateway.close()
        admin.close()


# -- (c) retries and the circuit breaker around the engine ---------------------------------------


class TestResilientPaymentGateway(PaymentGatewayContract):
    @pytest.fixture
    def subject(self, clock: FixedClock) -> Subject:
        engine = DummyPaymentGateway(clock, sleep=lambda _: None)
        breaker = ClockedCircuitBreaker(clock, failure_threshold=5, recovery_timeout=30)
        gateway = ResilientPaymentGateway(engine, breaker, RetryPolicy(), sleep=lambda _: None)
        return Subject(gateway, clock, lambda faults: setattr(engine, "faults", faults))
