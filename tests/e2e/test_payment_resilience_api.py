"""Retries and the circuit breaker over HTTP: what a customer, a load balancer and a dashboard
see while the payment gateway fails, and once it recovers.

The in-process dummy gateway fails through its own faults (an outage); retries do not wait
(a zero first delay), so nothing here sleeps, and the breaker runs on the fixed clock.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families

from adapters.clock import FixedClock
from application.ports.payments import Charge, ChargeRequest
from domain.ids import CustomerId
from domain.tiers import Tier
from tests.e2e.api import Api, assert_problem, pay, quote

ATTEMPTS = 3
THRESHOLD = 4  # more than one payment's tries: the first failing payment leaves it closed
RECOVERY = 30


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api(
        payment_retry_attempts=ATTEMPTS,
        payment_retry_first_delay_seconds=0.0,  # no real sleeps between retries
        breaker_failure_threshold=THRESHOLD,
        breaker_recovery_seconds=RECOVERY,
    )


@pytest.fixture
def ana(api: Api) -> CustomerId:
    return api.world.customer("ana@example.com")


@pytest.fixture
def headers(api: Api, ana: CustomerId) -> dict[str, str]:
    return api.world.auth("ana@example.com")


@pytest.fixture
def order(api: Api, ana: CustomerId, headers: dict[str, str]) -> Any:
    """A pending quote: Ana's General ticket to Non-stop in 12 days."""
    ticket = api.world.ticket(ana, Tier.GENERAL, visit_in=10)
    response = quote(api.client, headers, ticket.number.value, "non-stop", api.world.day(12))
    assert response.status_code == 201, response.text
    return response.json()


def gateway_down(api: Api, down: bool = True) -> None:
    """The dummy gateway's own outage fault: every call fails before anything moves."""
    api.container.gateway().faults.outage = down


def fail_next_charges(api: Api, times: int) -> None:
    """The gateway is unreachable for the next `times` charges, then answers again (the spy,
    underneath, still sees every call)."""
    gateway = api.container.gateway()
    spied: Callable[[ChargeRequest], Charge] = gateway.charge
    failures = iter(range(times))

    def charge(request: ChargeRequest) -> Charge:
        gateway.faults.outage = next(failures, None) is not None
        return spied(request)

    gateway.charge = charge


def order_now(client: TestClient[Any], headers: dict[str, str], order_id: str) -> Any:
    response = client.get(f"/api/upgrades/{order_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def health(client: TestClient[Any]) -> Any:
    response = client.get("/api/health")
    assert response.status_code == 200, response.text
    return response.json()


def breaker_gauge(client: TestClient[Any]) -> dict[str, float]:
    """tap_payment_breaker_state by state, as /metrics shows it."""
    response = client.get("/metrics")
    assert response.status_code == 200
    [family] = [
        f
        for f in text_string_to_metric_families(response.text)
        if f.name == "tap_payment_breaker_state"
    ]
    return {sample.labels["state"]: sample.value for sample in family.samples}


def assert_breaker(client: TestClient[Any], state: str, retry_after: int | None = None) -> None:
    """Health and metrics agree on the breaker's state; only an open one degrades health."""
    body = health(client)
    assert body["payment_gateway"] == {"breaker": state, "retry_after": retry_after}
    assert body["status"] == ("degraded" if state == "open" else "ok")
    gauge = breaker_gauge(client)
    assert gauge == {s: float(s == state) for s in ("closed", "open", "half_open")}


def open_the_breaker(api: Api, headers: dict[str, str], order: Any) -> None:
    """Failing payments until THRESHOLD consecutive failures: the breaker opens."""
    gateway_down(api)
    for _ in range(math.ceil(THRESHOLD / ATTEMPTS)):
        assert_problem(pay(api.client, headers, order["id"]), 503, "payment_unavailable")
    assert api.charges.outcomes == ["unavailable"] * THRESHOLD


# -- retries ------------------------------------------------------------------------------------


def test_a_gateway_failing_twice_then_answering_confirms_with_one_charge(
    api: Api, headers: dict[str, str], order: Any
) -> None:
    fail_next_charges(api, 2)

    response = pay(api.client, headers, order["id"])

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "confirmed"
    assert api.charges.outcomes == ["unavailable", "unavailable", "charged"]
    assert len({request.idempotency_key for request, _ in api.charges.calls}) == 1
    assert len(api.charges.charged) == 1
    assert_breaker(api.client, "closed")


def test_a_gateway_that_stays_down_is_a_503_with_retry_after_and_the_order_stays_payable(
    api: Api, headers: dict[str, str], order: Any
) -> None:
    gateway_down(api)

    response = pay(api.client, headers, order["id"])

    body = assert_problem(response, 503, "payment_unavailable")
    assert int(response.headers["retry-after"]) > 0
    assert "nothing was charged" in body["guidance"].lower()
    assert api.charges.outcomes == ["unavailable"] * ATTEMPTS  # retried, then gave up
    assert api.charges.charged == []
    now = order_now(api.client, headers, order["id"])
    assert (now["status"], now["attempts_left"], now["payment"]) == ("pending", 3, None)
    assert_breaker(api.client, "closed")  # fewer failures than the threshold
    # The gateway comes back: the same quote is paid, once.
    gateway_down(api, down=False)
    assert pay(api.client, headers, order["id"]).json()["status"] == "confirmed"
    assert len(api.charges.charged) == 1


# -- the circuit breaker ------------------------------------------------------------------------


def test_an_open_breaker_answers_503_at_once_without_calling_the_gateway(
    api: Api, clock: FixedClock, headers: dict[str, str], order: Any
) -> None:
    open_the_breaker(api, headers, order)
    gateway_down(api, down=False)  # it would answer now: only the breaker can refuse
    clock.advance(timedelta(seconds=10))
    calls = len(api.charges.calls)

    response = pay(api.client, headers, order["id"])

    body = assert_problem(response, 503, "payment_unavailable")
    assert "temporarily unavailable" in body["detail"].lower()
    assert "try again" in body["guidance"].lower()
    assert response.headers["retry-after"] == str(RECOVERY - 10)
    assert len(api.charges.calls) == calls
    now = order_now(api.client, headers, order["id"])
    assert (now["status"], now["attempts_left"]) == ("pending", 3)


def test_health_and_metrics_report_an_open_breaker_and_when_it_will_try_again(
    api: Api, clock: FixedClock, headers: dict[str, str], order: Any
) -> None:
    assert_breaker(api.client, "closed")
    open_the_breaker(api, headers, order)

    assert_breaker(api.client, "open", retry_after=RECOVERY)
    assert 'tap_payment_breaker_state{state="open"} 1.0' in api.client.get("/metrics").text
    clock.advance(timedelta(seconds=10))
    assert_breaker(api.client, "open", retry_after=RECOVERY - 10)


def test_after_the_recovery_time_the_breaker_is_half_open_and_a_payment_closes_it(
    api: Api, clock: FixedClock, headers: dict[str, str], order: Any
) -> None:
    open_the_breaker(api, headers, order)
    gateway_down(api, down=False)

    clock.advance(timedelta(seconds=RECOVERY + 1))

    assert_breaker(api.client, "half_open")
    response = pay(api.client, headers, order["id"])
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "confirmed"
    assert len(api.charges.charged) == 1
    assert_breaker(api.client, "closed")


def test_a_payment_failing_while_half_open_opens_the_breaker_again_at_once(
    api: Api, clock: FixedClock, headers: dict[str, str], order: Any
) -> None:
    open_the_breaker(api, headers, order)
    clock.advance(timedelta(seconds=RECOVERY + 1))
    calls = len(api.charges.calls)

    response = pay(api.client, headers, order["id"])

    assert_problem(response, 503, "payment_unavailable")
    assert len(api.charges.calls) == calls + 1  # one trial call, no retries behind it
    assert response.headers["retry-after"] == str(RECOVERY)
    assert_breaker(api.client, "open", retry_after=RECOVERY)
    assert order_now(api.client, headers, order["id"])["status"] == "pending"
