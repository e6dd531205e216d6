"""Paying for an upgrade over HTTP: each test card, payability, idempotency and card privacy."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import TestClient

from adapters.clock import FixedClock
from domain.tiers import Tier
from infra.container import Container
from infra.settings import Settings
from tests.builders import CARDS, World
from tests.e2e.api import (
    CONFIRMATION_CODE,
    LUHN_INVALID,
    Api,
    ChargeSpy,
    Watcher,
    assert_problem,
    card_body,
    my_orders,
    pay,
    quote,
    remaining,
    without_request_id,
)

DECLINES = ["card_declined", "insufficient_funds", "expired_card", "incorrect_cvc"]


@pytest.fixture
def order(client: TestClient[Any], world: World, ana: Any, headers: dict[str, str]) -> Any:
    """A pending quote: Ana's General ticket (59.00, 20 March) to Non-stop on 22 March."""
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=10)
    response = quote(client, headers, ticket.number.value, "non-stop", world.day(12))
    assert response.status_code == 201, response.text
    return response.json()


def order_now(client: TestClient[Any], headers: dict[str, str], order_id: str) -> Any:
    response = client.get(f"/api/upgrades/{order_id}", headers=headers)
    assert response.status_code == 200
    return response.json()


def ticket_now(client: TestClient[Any], headers: dict[str, str], ref: str) -> Any:
    return client.get(f"/api/tickets/{ref}", headers=headers).json()


def assert_untouched(client: TestClient[Any], headers: dict[str, str], order: Any) -> None:
    """The quote is still payable and the ticket is exactly as before."""
    now = order_now(client, headers, order["id"])
    assert now["status"] == "pending"
    assert now["confirmation_code"] is None
    assert now["payment"] is None
    ticket = ticket_now(client, headers, order["ticket"])
    assert (ticket["tier"], ticket["visit_date"]) == (
        order["previous_tier"],
        order["previous_date"],
    )


# -- the good card ---------------------------------------------------------------------------


def test_paying_with_the_good_card_confirms_the_upgrade_and_moves_the_ticket(
    client: TestClient[Any],
    world: World,
    headers: dict[str, str],
    order: Any,
    charges: ChargeSpy,
    watcher: Watcher,
) -> None:
    day = world.day(12)
    held = remaining(client, watcher.headers, watcher.ticket, "non-stop", day)

    response = pay(client, headers, order["id"], CARDS["success"])

    assert response.status_code == 200, response.text
    paid = response.json()
    assert paid["id"] == order["id"]
    assert paid["status"] == "confirmed"
    assert CONFIRMATION_CODE.fullmatch(paid["confirmation_code"])
    assert paid["payment"] == {"brand": "visa", "last4": "4242"}
    assert paid["email_status"] == "pending"
    assert paid["amount_due"] == order["amount_due"]
    assert order_now(client, headers, order["id"]) == paid
    ticket = ticket_now(client, headers, order["ticket"])
    assert (ticket["tier"], ticket["visit_date"]) == ("non-stop", day.isoformat())
    assert Decimal(ticket["price_paid"]) == Decimal("59.00") + Decimal(order["amount_due"])
    assert ticket["eligibility"]["eligible"] is True  # Double Fun is still above it
    # One charge, of exactly the amount due; the hold became a sale (no second unit taken).
    [charged] = charges.charged
    assert charged.amount.to_minor_units() == int(Decimal(order["amount_due"]) * 100)
    assert remaining(client, watcher.headers, watcher.ticket, "non-stop", day) == held


@pytest.mark.parametrize(
    ("number", "brand", "last4", "cvc"),
    [
        ("5555 5555 5555 4444", "mastercard", "4444", "123"),
        ("3782-822463-10005", "amex", "0005", "1234"),
        ("4242-4242-4242-4242", "visa", "4242", "123"),
    ],
)
def test_any_other_luhn_valid_card_succeeds_and_only_brand_and_last_four_are_kept(
    client: TestClient[Any],
    headers: dict[str, str],
    order: Any,
    number: str,
    brand: str,
    last4: str,
    cvc: str,
) -> None:
    response = pay(client, headers, order["id"], number, cvc=cvc)

    assert response.status_code == 200, response.text
    assert response.json()["payment"] == {"brand": brand, "last4": last4}
    digits = number.replace(" ", "").replace("-", "")
    stored = client.get(f"/api/upgrades/{order['id']}", headers=headers).text
    assert digits not in stored
    assert digits not in client.get("/api/upgrades", headers=headers).text


def test_paying_a_confirmed_order_again_is_a_422_and_charges_nothing_more(
    client: TestClient[Any], headers: dict[str, str], order: Any, charges: ChargeSpy
) -> None:
    first = pay(client, headers, order["id"])
    assert first.status_code == 200

    again = pay(client, headers, order["id"])

    assert_problem(again, 422, "order_already_paid")
    assert len(charges.calls) == 1
    assert order_now(client, headers, order["id"]) == first.json()


# -- declines and gateway trouble -------------------------------------------------------------


@pytest.mark.parametrize("decline_code", DECLINES)
def test_a_declined_card_is_a_402_with_its_decline_code_and_the_quote_stays_payable(
    client: TestClient[Any],
    headers: dict[str, str],
    order: Any,
    charges: ChargeSpy,
    decline_code: str,
) -> None:
    response = pay(client, headers, order["id"], CARDS[decline_code])

    body = assert_problem(response, 402, decline_code)
    assert body["decline_code"] == decline_code
    assert body["attempts_left"] == 2
    assert CARDS[decline_code] not in response.text
    assert charges.outcomes == [f"declined:{decline_code}"]
    assert charges.charged == []
    assert_untouched(client, headers, order)
    now = order_now(client, headers, order["id"])
    assert (now["attempts_left"], now["last_decline_code"]) == (2, decline_code)
    # Another card then goes through.
    assert pay(client, headers, order["id"], CARDS["success"]).json()["status"] == "confirmed"


def test_the_third_decline_closes_the_quote_and_emails_the_customer(
    client: TestClient[Any],
    world: World,
    container: Container,
    headers: dict[str, str],
    order: Any,
    charges: ChargeSpy,
    watcher: Watcher,
) -> None:
    day = world.day(12)
    answers = [pay(client, headers, order["id"], CARDS["card_declined"]) for _ in range(3)]

    assert [a.json()["attempts_left"] for a in answers] == [2, 1, 0]
    assert "new upgrade" in answers[-1].json()["guidance"]
    failed = order_now(client, headers, order["id"])
    assert (failed["status"], failed["attempts_left"]) == ("failed", 0)
    assert_problem(pay(client, headers, order["id"], CARDS["success"]), 422, "order_failed")
    assert charges.charged == []
    assert len(charges.calls) == 3
    assert remaining(client, watcher.headers, watcher.ticket, "non-stop", day) == 120
    ticket = ticket_now(client, headers, order["ticket"])
    assert ticket["tier"] == "general"
    assert ticket["eligibility"]["eligible"] is True
    container.dispatch_outbox()()
    [email] = container.email_sender().sent
    assert email.to == "ana@example.com"
    assert order["ticket"] in email.text


def test_an_unavailable_gateway_is_a_503_with_retry_after_and_nothing_charged(
    client: TestClient[Any], headers: dict[str, str], order: Any, charges: ChargeSpy
) -> None:
    response = pay(client, headers, order["id"], CARDS["processing_error"])

    body = assert_problem(response, 503, "payment_unavailable")
    assert int(response.headers["retry-after"]) > 0
    assert "nothing was charged" in body["guidance"].lower()
    assert charges.charged == []
    assert_untouched(client, headers, order)
    assert order_now(client, headers, order["id"])["attempts_left"] == 3
    # Once the gateway answers again the same quote can be paid.
    assert pay(client, headers, order["id"]).json()["status"] == "confirmed"


def test_a_transient_processing_error_is_retried_with_the_same_key_before_the_503(
    client: TestClient[Any], headers: dict[str, str], order: Any, charges: ChargeSpy
) -> None:
    response = pay(client, headers, order["id"], CARDS["processing_error"])

    assert_problem(response, 503, "payment_unavailable")
    assert len(charges.calls) > 1
    assert len({request.idempotency_key for request, _ in charges.calls}) == 1
    assert charges.charged == []


# -- refused before any charge ------------------------------------------------------------------


def test_a_card_number_failing_the_luhn_check_is_a_402_incorrect_number_before_any_charge(
    client: TestClient[Any], headers: dict[str, str], order: Any, charges: ChargeSpy
) -> None:
    response = pay(client, headers, order["id"], LUHN_INVALID)

    body = assert_problem(response, 402, "incorrect_number")
    assert body["decline_code"] == "incorrect_number"
    assert LUHN_INVALID not in response.text
    assert charges.calls == []
    assert_untouched(client, headers, order)
    assert order_now(client, headers, order["id"])["attempts_left"] == 3


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"exp_month": 2, "exp_year": 2026}, "expired_card"),
        ({"exp_month": 12, "exp_year": 25}, "expired_card"),
        ({"exp_year": 2099}, "invalid_expiry_year"),
        ({"cvc": "1234"}, "invalid_cvc"),
        ({"name": "   "}, "invalid_name"),
    ],
)
def test_a_card_no_gateway_would_accept_is_a_402_before_any_charge(
    client: TestClient[Any],
    headers: dict[str, str],
    order: Any,
    charges: ChargeSpy,
    changes: dict[str, Any],
    code: str,
) -> None:
    response = pay(client, headers, order["id"], CARDS["success"], **changes)

    assert_problem(response, 402, code)
    assert charges.calls == []
    assert_untouched(client, headers, order)


def test_a_two_digit_expiry_year_in_the_future_is_accepted(
    client: TestClient[Any], headers: dict[str, str], order: Any
) -> None:
    response = pay(client, headers, order["id"], exp_year=30)

    assert response.status_code == 200, response.text


def test_paying_an_expired_quote_is_a_422_and_charges_nothing(
    client: TestClient[Any],
    clock: FixedClock,
    headers: dict[str, str],
    order: Any,
    charges: ChargeSpy,
) -> None:
    clock.advance(timedelta(minutes=16))

    response = pay(client, headers, order["id"])

    body = assert_problem(response, 422, "order_expired")
    assert "nothing was charged" in body["guidance"].lower()
    assert charges.calls == []
    assert order_now(client, headers, order["id"])["status"] == "expired"
    ticket = ticket_now(client, headers, order["ticket"])
    assert (ticket["tier"], ticket["visit_date"]) == (
        order["previous_tier"],
        order["previous_date"],
    )


def test_paying_a_cancelled_quote_is_a_422_and_charges_nothing(
    client: TestClient[Any], headers: dict[str, str], order: Any, charges: ChargeSpy
) -> None:
    client.post(f"/api/upgrades/{order['id']}/cancel", headers=headers)

    response = pay(client, headers, order["id"])

    assert_problem(response, 422, "order_cancelled")
    assert charges.calls == []
    assert order_now(client, headers, order["id"])["status"] == "cancelled"


def test_paying_someone_elses_order_answers_like_an_unknown_one_and_charges_nothing(
    client: TestClient[Any], world: World, charges: ChargeSpy
) -> None:
    ben = world.customer("ben@example.com")
    bens = world.quote(ben, world.ticket(ben), Tier.STANDARD, world.day(5))
    world.customer("mallory@example.com")
    mallory = world.auth("mallory@example.com")

    theirs = pay(client, mallory, str(bens.id))
    missing = pay(client, mallory, str(uuid.uuid4()))

    assert_problem(theirs, 404, "order_not_found")
    assert without_request_id(theirs.json()) == without_request_id(missing.json())
    assert charges.calls == []
    ben_headers = world.auth("ben@example.com")
    assert order_now(client, ben_headers, str(bens.id))["status"] == "pending"


# -- malformed payment requests ----------------------------------------------------------------

GOOD = CARDS["success"]
BAD_CARDS: list[tuple[str, Any]] = [
    ("letters-in-number", card_body(f"{GOOD[:8]}abcd{GOOD[12:]}")),
    ("number-too-long", card_body(GOOD + "4242424242")),
    ("number-too-short", card_body(GOOD[:8])),
    ("number-as-integer", card_body(int(GOOD))),  # type: ignore[arg-type]
    ("missing-cvc", {"card": {k: v for k, v in card_body()["card"].items() if k != "cvc"}}),
    ("missing-number", {"card": {k: v for k, v in card_body()["card"].items() if k != "number"}}),
    ("month-13", card_body(exp_month=13)),
    ("month-as-text", card_body(exp_month="December")),
    ("cvc-letters", card_body(cvc="12a")),
    ("cvc-as-integer", card_body(cvc=123)),
    ("empty-name", card_body(name="")),
    ("extra-card-field", card_body(pin="0000")),
    ("extra-top-field", {**card_body(), "amount": "0.01"}),
    ("card-not-an-object", {"card": GOOD}),
    ("card-missing", {"number": GOOD}),
    ("not-an-object", [GOOD, 12, 2030, "123"]),
]


@pytest.mark.parametrize("body", [b for _, b in BAD_CARDS], ids=[i for i, _ in BAD_CARDS])
def test_a_malformed_payment_is_a_400_that_never_echoes_the_card_number(
    client: TestClient[Any], headers: dict[str, str], order: Any, charges: ChargeSpy, body: Any
) -> None:
    response = client.post(f"/api/upgrades/{order['id']}/payment", json=body, headers=headers)

    problem = assert_problem(response, 400, "invalid_request")
    assert isinstance(problem.get("errors"), list)
    assert GOOD not in response.text
    assert GOOD[:8] not in response.text
    assert "abcd" not in response.text
    assert charges.calls == []
    assert_untouched(client, headers, order)


def test_a_payment_that_is_not_json_is_a_400_that_never_echoes_the_card_number(
    client: TestClient[Any], headers: dict[str, str], order: Any, charges: ChargeSpy
) -> None:
    raw = b'{"card": {"number": "' + GOOD.encode() + b'", "exp_month": 12, "cvc": 123x'

    response = client.post(
        f"/api/upgrades/{order['id']}/payment",
        content=raw,
        headers={**headers, "Content-Type": "application/json"},
    )

    assert_problem(response, 400, "invalid_request")
    assert GOOD not in response.text
    assert charges.calls == []


def test_a_payment_never_writes_the_card_number_or_cvc_to_the_logs(
    client: TestClient[Any],
    headers: dict[str, str],
    order: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    cvc = "987"

    pay(client, headers, order["id"], CARDS["processing_error"], cvc=cvc)
    pay(client, headers, order["id"], CARDS["card_declined"], cvc=cvc)
    pay(client, headers, order["id"], LUHN_INVALID, cvc=cvc)
    client.post(
        f"/api/upgrades/{order['id']}/payment",
        json=card_body(GOOD, exp_month=13, cvc=cvc),
        headers=headers,
    )
    assert pay(client, headers, order["id"], GOOD, cvc=cvc).status_code == 200

    assert caplog.records  # the access log at least
    for record in caplog.records:
        text = f"{record.getMessage()} {record.__dict__}"
        for secret in (GOOD, CARDS["card_declined"], CARDS["processing_error"], LUHN_INVALID):
            assert secret not in text, record
        assert f"'{cvc}'" not in text, record


# -- idempotent payments -----------------------------------------------------------------------


def test_a_payment_repeated_with_the_same_key_is_replayed_and_charged_once(
    client: TestClient[Any],
    container: Container,
    headers: dict[str, str],
    order: Any,
    charges: ChargeSpy,
) -> None:
    key = str(uuid.uuid4())

    first = pay(client, headers, order["id"], key=key)
    second = pay(client, headers, order["id"], key=key)

    assert first.status_code == second.status_code == 200
    assert "idempotent-replayed" not in first.headers
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert len(charges.calls) == 1
    container.dispatch_outbox()()
    assert len(container.email_sender().sent) == 1


def test_a_declined_payment_repeated_with_the_same_key_is_replayed_not_declined_again(
    client: TestClient[Any], headers: dict[str, str], order: Any, charges: ChargeSpy
) -> None:
    key = str(uuid.uuid4())

    first = pay(client, headers, order["id"], CARDS["insufficient_funds"], key=key)
    second = pay(client, headers, order["id"], CARDS["insufficient_funds"], key=key)

    assert first.status_code == second.status_code == 402
    assert second.headers["idempotent-replayed"] == "true"
    assert without_request_id(second.json()) == without_request_id(first.json())
    assert len(charges.calls) == 1
    assert order_now(client, headers, order["id"])["attempts_left"] == 2


def test_a_payment_refused_for_an_unavailable_gateway_runs_again_on_retry_with_its_key(
    client: TestClient[Any],
    app_settings: Settings,
    headers: dict[str, str],
    order: Any,
    charges: ChargeSpy,
) -> None:
    key = str(uuid.uuid4())

    first = pay(client, headers, order["id"], CARDS["processing_error"], key=key)
    second = pay(client, headers, order["id"], CARDS["processing_error"], key=key)

    assert first.status_code == second.status_code == 503
    assert "idempotent-replayed" not in second.headers
    # Each request ran and retried the gateway, until the failures opened the circuit breaker.
    tries = min(2 * app_settings.payment_retry_attempts, app_settings.breaker_failure_threshold)
    assert tries > app_settings.payment_retry_attempts
    assert charges.outcomes == ["unavailable"] * tries


@pytest.mark.parametrize(
    "changes",
    [{"number": "5555555555554444"}, {"exp_month": 11}, {"name": "Ben Other"}],
    ids=["other-card", "other-expiry", "other-name"],
)
def test_reusing_a_payment_key_with_another_card_is_a_422_and_charges_nothing_more(
    client: TestClient[Any],
    headers: dict[str, str],
    order: Any,
    charges: ChargeSpy,
    changes: dict[str, Any],
) -> None:
    key = str(uuid.uuid4())
    first = pay(client, headers, order["id"], CARDS["card_declined"], key=key)
    assert first.status_code == 402
    number = changes.pop("number", CARDS["card_declined"])

    second = pay(client, headers, order["id"], number, key=key, **changes)

    assert_problem(second, 422, "idempotency_key_reused")
    assert len(charges.calls) == 1
    assert order_now(client, headers, order["id"])["attempts_left"] == 2


@pytest.mark.parametrize(
    "changes",
    [{"number": "4111000000060002"}, {"cvc": "456"}],
    ids=["other-card-same-last-four", "corrected-cvc"],
)
def test_reusing_a_payment_key_with_a_card_differing_beyond_its_last_four_is_a_422(
    client: TestClient[Any],
    headers: dict[str, str],
    order: Any,
    charges: ChargeSpy,
    changes: dict[str, Any],
) -> None:
    key = str(uuid.uuid4())
    first = pay(client, headers, order["id"], CARDS["card_declined"], key=key, cvc="123")
    assert first.status_code == 402
    number = changes.pop("number", CARDS["card_declined"])

    second = pay(client, headers, order["id"], number, key=key, **{"cvc": "123", **changes})

    # Not a replay of the other card's decline: that card was never tried.
    assert_problem(second, 422, "idempotency_key_reused")
    assert len(charges.calls) == 1


def test_reusing_a_payment_key_for_another_order_is_a_422(
    client: TestClient[Any],
    world: World,
    ana: Any,
    headers: dict[str, str],
    order: Any,
    charges: ChargeSpy,
) -> None:
    other = quote(client, headers, world.ticket(ana).number.value, "standard", world.day(6))
    key = str(uuid.uuid4())
    assert pay(client, headers, order["id"], key=key).status_code == 200

    response = pay(client, headers, other.json()["id"], key=key)

    assert_problem(response, 422, "idempotency_key_reused")
    assert len(charges.calls) == 1
    assert order_now(client, headers, other.json()["id"])["status"] == "pending"


# -- a payment in flight -----------------------------------------------------------------------
# With the memory profile each request runs to its end on the event loop, so two can only
# overlap when handlers run in worker threads, as they do over a database: build that app.


@pytest.fixture
def threaded(make_api: Callable[..., Api]) -> tuple[Api, dict[str, str], Any]:
    api = make_api(handler_threads=True)
    ana = api.world.customer("ana@example.com")
    headers = api.world.auth("ana@example.com")
    ticket = api.world.ticket(ana, Tier.GENERAL, visit_in=10)
    response = quote(api.client, headers, ticket.number.value, "non-stop", api.world.day(12))
    assert response.status_code == 201, response.text
    return api, headers, response.json()


def test_while_a_payment_is_in_flight_another_attempt_or_a_cancel_is_a_409(
    threaded: tuple[Api, dict[str, str], Any],
) -> None:
    api, headers, order = threaded
    client, charges = api.client, api.charges
    key = str(uuid.uuid4())
    charges.hold()
    with ThreadPoolExecutor(max_workers=1) as pool:
        in_flight = pool.submit(pay, client, headers, order["id"], key=key)
        try:
            assert charges.entered.wait(timeout=5), "the first payment never reached the gateway"
            processing = order_now(client, headers, order["id"])
            second = pay(client, headers, order["id"])
            same_key = pay(client, headers, order["id"], key=key)
            cancel = client.post(f"/api/upgrades/{order['id']}/cancel", headers=headers)
        finally:
            charges.release.set()
        first = in_flight.result(timeout=10)

    assert processing["status"] == "processing"
    assert_problem(second, 409, "payment_in_progress")
    assert_problem(same_key, 409, "idempotency_key_in_use")
    assert_problem(cancel, 409, "payment_in_progress")
    assert first.status_code == 200
    assert first.json()["status"] == "confirmed"
    assert len(charges.calls) == 1
    # The key is now complete: it replays the confirmation.
    replay = pay(client, headers, order["id"], key=key)
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()


def test_a_payment_in_flight_keeps_its_unit_even_past_the_quotes_expiry(
    threaded: tuple[Api, dict[str, str], Any], clock: FixedClock
) -> None:
    api, headers, order = threaded
    client, charges, world = api.client, api.charges, api.world
    spare = world.ticket(world.customer("ben@example.com"))
    ben = world.auth("ben@example.com")
    day = world.day(12)
    charges.hold()
    with ThreadPoolExecutor(max_workers=1) as pool:
        in_flight = pool.submit(pay, client, headers, order["id"])
        try:
            assert charges.entered.wait(timeout=5)
            clock.advance(timedelta(minutes=20))
            during = remaining(client, ben, spare.number.value, "non-stop", day)
        finally:
            charges.release.set()
        paid = in_flight.result(timeout=10)

    assert during == 119
    assert paid.json()["status"] == "confirmed"
    assert remaining(client, ben, spare.number.value, "non-stop", day) == 119
    assert [o["status"] for o in my_orders(client, headers)] == ["confirmed"]
