"""The dummy gateway service's own promises (admin token, no card data out, Retry-After, the
504 of the timeout fault) and how its client reads what can go wrong on the wire."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from adapters.clock import FixedClock
from adapters.payments.dummy import DummyPaymentGateway, Faults
from adapters.payments.http_gateway import HttpPaymentGateway
from application.errors import (
    IdempotencyKeyReusedError,
    PaymentDeclinedError,
    PaymentOutcomeUnknownError,
    PaymentUnavailableError,
)
from application.ports.payments import ChargeRequest, RefundRequest
from domain.cards import PaymentCard
from domain.errors import BusinessRuleError, InvalidInputError, NotFoundError
from domain.money import Money
from infra.gateway_service import create_gateway_app
from tests.conftest import NOW
from tests.support.live_http import free_port, uvicorn_in_thread

ADMIN_TOKEN = "service-admin-token"
NUMBER = "4242424242424242"
CVC = "987"


def charge_body(number: str = NUMBER) -> dict[str, Any]:
    return {
        "amount": "31.25",
        "currency": "USD",
        "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": CVC, "name": "A B"},
        "description": "Upgrade",
        "metadata": {"order": "order-1"},
    }


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def a_charge(number: str = NUMBER) -> ChargeRequest:
    return ChargeRequest(
        idempotency_key=str(uuid.uuid4()),
        amount=Money.of("31.25", "USD"),
        card=PaymentCard(number, 12, 2030, CVC, "Alice Rivera"),
        description="Upgrade",
    )


@pytest.fixture
def engine(clock: FixedClock) -> DummyPaymentGateway:
    return DummyPaymentGateway(clock, sleep=lambda _: None)


@pytest.fixture
def client(engine: DummyPaymentGateway) -> Iterator[TestClient[Any]]:
    with TestClient(create_gateway_app(engine, ADMIN_TOKEN, hang_seconds=0)) as client:
        yield client


# -- the service --------------------------------------------------------------------------------


def test_health_answers_ok(client: TestClient[Any]) -> None:
    assert client.get("/health").json() == {"status": "ok"}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": ADMIN_TOKEN}],
    ids=["none", "wrong", "not-bearer"],
)
def test_the_admin_routes_need_the_admin_token(
    client: TestClient[Any], engine: DummyPaymentGateway, headers: dict[str, str]
) -> None:
    read = client.get("/admin/faults", headers=headers)
    write = client.put("/admin/faults", json={"outage": True}, headers=headers)

    assert (read.status_code, write.status_code) == (401, 401)
    assert write.json()["error"]["type"] == "authentication_error"
    assert read.headers["WWW-Authenticate"] == "Bearer"
    assert engine.faults == Faults()


def test_the_admin_token_changes_the_faults(
    client: TestClient[Any], engine: DummyPaymentGateway
) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    changed = client.put("/admin/faults", json={"error_rate": 0.5, "latency": 0.1}, headers=admin)

    assert changed.status_code == 200
    assert engine.faults == Faults(latency=0.1, error_rate=0.5)
    assert client.get("/admin/faults", headers=admin).json() == changed.json()
    refused = client.put("/admin/faults", json={"error_rate": 2}, headers=admin)
    assert refused.status_code == 400
    assert engine.faults == Faults(latency=0.1, error_rate=0.5)


@pytest.mark.parametrize("configured", [None, ""], ids=["none", "blank"])
def test_without_an_admin_token_the_admin_routes_are_off(
    engine: DummyPaymentGateway, configured: str | None
) -> None:
    with TestClient(create_gateway_app(engine, configured)) as client:
        for token in ("", "None"):
            answer = client.put(
                "/admin/faults", json={"outage": True}, headers={"Authorization": f"Bearer {token}"}
            )
            assert answer.status_code == 403
            assert answer.json()["error"]["type"] == "permission_error"
    assert engine.faults == Faults()


def test_a_charge_answer_shows_the_last_four_digits_only(client: TestClient[Any]) -> None:
    answer = client.post("/v1/charges", json=charge_body(), headers=key())

    assert answer.status_code == 200
    assert answer.json()["last4"] == "4242"
    assert NUMBER not in answer.text
    assert CVC not in answer.text


def test_an_invalid_body_is_refused_without_echoing_the_card(client: TestClient[Any]) -> None:
    body = charge_body()
    body["card"]["exp_month"] = "twelve"

    answer = client.post("/v1/charges", json=body, headers=key())

    assert answer.status_code == 400
    assert answer.json()["error"]["type"] == "invalid_request_error"
    assert NUMBER not in answer.text


def test_a_charge_without_an_idempotency_key_is_refused(client: TestClient[Any]) -> None:
    answer = client.post("/v1/charges", json=charge_body())

    assert answer.status_code == 400
    assert "Idempotency-Key" in answer.json()["error"]["message"]


def test_a_gateway_that_processed_nothing_says_when_to_retry(
    client: TestClient[Any], engine: DummyPaymentGateway
) -> None:
    engine.faults = Faults(outage=True)

    answer = client.post("/v1/charges", json=charge_body(), headers=key())

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "10"
    assert answer.json()["error"]["code"] == "payment_unavailable"


def test_the_timeout_fault_charges_then_answers_504(
    client: TestClient[Any], engine: DummyPaymentGateway
) -> None:
    engine.faults = Faults(timeout_rate=1.0)
    headers = key()

    answer = client.post("/v1/charges", json=charge_body(), headers=headers)

    assert answer.status_code == 504
    engine.faults = Faults()
    found = client.get("/v1/charges", params={"idempotency_key": headers["Idempotency-Key"]})
    assert len(found.json()["data"]) == 1


def test_a_created_since_without_an_offset_is_refused(client: TestClient[Any]) -> None:
    answer = client.get("/v1/charges", params={"created_since": "2026-03-10T09:00:00"})

    assert answer.status_code == 400


def test_card_data_never_reaches_the_logs(
    engine: DummyPaymentGateway, caplog: pytest.LogCaptureFixture
) -> None:
    """Over a real socket, so uvicorn's, Litestar's and httpx's loggers all have their chance."""
    caplog.set_level(logging.DEBUG)
    app = create_gateway_app(engine, ADMIN_TOKEN, hang_seconds=0)
    with uvicorn_in_thread(app, path="/health") as port:
        gateway = HttpPaymentGateway(f"http://127.0.0.1:{port}", timeout=5)
        try:
            charge = gateway.charge(a_charge())
            with pytest.raises(PaymentDeclinedError) as declined:
                gateway.charge(a_charge("4000000000000002"))
            with pytest.raises(PaymentUnavailableError) as failed:
                gateway.charge(a_charge("4000000000000119"))
            engine.faults = Faults(timeout_rate=1.0)
            with pytest.raises(PaymentOutcomeUnknownError) as lost:
                gateway.charge(a_charge())
        finally:
            gateway.close()

    # Every record's message and structured fields: a JSON log handler would print both.
    logged = "\n".join(f"{record.getMessage()} {vars(record)}" for record in caplog.records)
    assert charge.id in logged  # the logs were captured: their silence means something
    for number in (NUMBER, "4000000000000002", "4000000000000119"):
        assert number not in logged
        for error in (declined.value, failed.value, lost.value):
            assert number not in f"{error} {error!r} {error.guidance}"
    assert "cvc" not in logged.lower()


# -- the client: what each answer means ---------------------------------------------------------


def answering(
    status: int, body: Any = None, headers: dict[str, str] | None = None
) -> HttpPaymentGateway:
    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body, headers=headers)

    return HttpPaymentGateway("http://gateway.test", 1, transport=httpx.MockTransport(handler))


def failing(error: type[httpx.TransportError]) -> HttpPaymentGateway:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error("simulated", request=request)

    return HttpPaymentGateway("http://gateway.test", 1, transport=httpx.MockTransport(handler))


def problem(code: str) -> dict[str, Any]:
    return {"error": {"type": "x", "code": code, "message": "m", "guidance": "g"}}


@pytest.mark.parametrize(
    ("error", "on_charge", "on_read"),
    [
        (httpx.ConnectError, PaymentUnavailableError, PaymentUnavailableError),
        (httpx.ConnectTimeout, PaymentUnavailableError, PaymentUnavailableError),
        (httpx.ReadTimeout, PaymentOutcomeUnknownError, PaymentUnavailableError),
        (httpx.WriteTimeout, PaymentOutcomeUnknownError, PaymentUnavailableError),
        (httpx.RemoteProtocolError, PaymentOutcomeUnknownError, PaymentUnavailableError),
    ],
)
def test_a_transport_failure_is_in_doubt_only_once_the_request_may_have_left(
    error: type[httpx.TransportError], on_charge: type[Exception], on_read: type[Exception]
) -> None:
    gateway = failing(error)
    with pytest.raises(on_charge) as charged:
        gateway.charge(a_charge())
    with pytest.raises(on_charge):
        gateway.refund(RefundRequest("re-1", "ch_1"))
    with pytest.raises(on_read):
        gateway.find_charge("k")
    with pytest.raises(on_read):
        gateway.charges_since(NOW)
    assert charged.value.__cause__ is None  # httpx's error holds the request, card and all


@pytest.mark.parametrize(
    ("status", "on_charge", "on_read"),
    [
        (500, PaymentOutcomeUnknownError, PaymentUnavailableError),
        (502, PaymentOutcomeUnknownError, PaymentUnavailableError),
        (504, PaymentOutcomeUnknownError, PaymentUnavailableError),
        (503, PaymentUnavailableError, PaymentUnavailableError),
    ],
)
def test_a_server_error_is_in_doubt_unless_it_says_nothing_was_done(
    status: int, on_charge: type[Exception], on_read: type[Exception]
) -> None:
    gateway = answering(status, problem("boom"))
    with pytest.raises(on_charge):
        gateway.charge(a_charge())
    with pytest.raises(on_read):
        gateway.get_charge("ch_1")


def test_a_503_passes_its_retry_after_on() -> None:
    gateway = answering(503, problem("payment_unavailable"), {"Retry-After": "7"})

    with pytest.raises(PaymentUnavailableError) as unavailable:
        gateway.charge(a_charge())

    assert unavailable.value.retry_after == 7


@pytest.mark.parametrize(
    ("status", "code", "raised"),
    [
        (402, "insufficient_funds", PaymentDeclinedError),
        (409, "idempotency_key_reused", IdempotencyKeyReusedError),
        (409, "charge_already_refunded", BusinessRuleError),
        (404, "no_such_charge", NotFoundError),
        (400, "invalid_amount", InvalidInputError),
    ],
)
def test_a_refusal_keeps_its_code(status: int, code: str, raised: type[Exception]) -> None:
    with pytest.raises(raised) as refused:
        answering(status, problem(code)).refund(RefundRequest("re-1", "ch_1"))

    assert refused.value.code == code  # type: ignore[attr-defined]
    assert type(refused.value) is raised


def test_a_charge_answer_that_cannot_be_read_is_in_doubt() -> None:
    with pytest.raises(PaymentOutcomeUnknownError):
        answering(200, {"id": "ch_1"}).charge(a_charge())


def test_an_unknown_charge_id_is_none() -> None:
    assert answering(404, problem("no_such_charge")).get_charge("ch_1") is None


def test_nothing_listening_is_unavailable() -> None:
    gateway = HttpPaymentGateway(f"http://127.0.0.1:{free_port()}", timeout=1)
    try:
        with pytest.raises(PaymentUnavailableError):
            gateway.charge(a_charge())
    finally:
        gateway.close()
