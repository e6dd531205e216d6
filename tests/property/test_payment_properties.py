"""Payments and their emails (design properties 11, 12 and 13), through the whole application:
the HTTP API or the use cases over a fresh memory-profile container per example, with the
in-process dummy gateway under the real retries and circuit breaker. The expected outcomes are
restated from DOMAIN.md's table of test cards, not read from the gateway's code."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from adapters.email.jinja_renderer import long_date
from application.errors import PaymentDeclinedError, PaymentUnavailableError
from application.ports.payments import Charge, ChargeRequest
from domain.tiers import Tier
from tests.builders import CARDS, PASSWORD, World
from tests.e2e.api import card_body
from tests.property.support import app_client, fresh_world

# DOMAIN.md, "Payments": the cards with a fixed outcome.
DECLINING = {
    CARDS["card_declined"]: "card_declined",
    CARDS["insufficient_funds"]: "insufficient_funds",
    CARDS["expired_card"]: "expired_card",
    CARDS["incorrect_cvc"]: "incorrect_cvc",
}
PROCESSING_ERROR = CARDS["processing_error"]
SPECIAL = {CARDS["success"], PROCESSING_ERROR, *DECLINING}
# No waiting between retries in these tests; the number of tries is what is under test.
NO_WAIT = {"payment_retry_first_delay_seconds": 0.0, "payment_retry_max_delay_seconds": 0.0}


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    """A test card of DOMAIN.md, or any 16-digit Visa/Mastercard-like number, valid or not."""
    if draw(st.booleans()):
        return draw(st.sampled_from(sorted(SPECIAL)))
    prefix = draw(st.sampled_from(["4", "51", "52", "55"]))
    body = draw(st.text("0123456789", min_size=15 - len(prefix), max_size=15 - len(prefix)))
    partial = prefix + body
    check = next(d for d in "0123456789" if luhn_valid(partial + d))
    if draw(st.booleans()):
        return partial + check
    return partial + draw(st.sampled_from([d for d in "0123456789" if d != check]))


class GatewayCalls:
    """The raw gateway's charge calls (under the retries), and a script of transient failures
    to give before answering for real."""

    def __init__(self, world: World, transient_failures: int = 0) -> None:
        self.requests: list[ChargeRequest] = []
        self.charges: list[Charge] = []
        self._failures_left = transient_failures
        gateway = world.container.gateway()
        real_charge = gateway.charge

        def charge(request: ChargeRequest) -> Charge:
            self.requests.append(request)
            if self._failures_left:
                self._failures_left -= 1
                raise PaymentUnavailableError(retry_after=30)
            made = real_charge(request)
            self.charges.append(made)
            return made

        gateway.charge = charge


def everything_stored(world: World) -> str:
    """Every stored record of the memory store, as text: what a card number must never be in."""
    return repr(vars(world.container.memory_store()))


def quoted_order(world: World, target: Tier, days_ahead: int) -> tuple[Any, str, Any]:
    ana = world.customer("ana@example.com")
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=days_ahead)
    order = world.quote(ana, ticket, target, world.day(days_ahead))
    return ana, ticket.number.value, order


@given(
    number=card_numbers(),
    cvc=st.text("0123456789", min_size=3, max_size=3),
    target=st.sampled_from(list(Tier)[1:]),
    days_ahead=st.integers(min_value=2, max_value=120),
)
def test_a_payment_is_processed_once_and_answered_with_its_status(
    number: str, cvc: str, target: Tier, days_ahead: int
) -> None:
    """Feature: ticket-auto-process, Property 11: For any payment initiation, the Payment Gateway should securely process the transaction and return appropriate status information

    Any card, any upgrade: a card failing the Luhn check is a 402 `incorrect_number` before the
    gateway is called; a declining test card a 402 with its decline code and one attempt
    fewer; the processing-error card a 503 with Retry-After after retries with one key; any
    other card a 200 `confirmed` order with the brand and last four, charged exactly once for
    the amount due. Whatever the outcome, the card number and CVC appear in no answer and no
    stored record."""  # noqa: E501
    world = fresh_world(**NO_WAIT)
    _, _, order = quoted_order(world, target, days_ahead)
    calls = GatewayCalls(world)
    with app_client(world, **NO_WAIT) as client:
        response = client.post(
            f"/api/upgrades/{order.id}/payment",
            json=card_body(number, cvc=cvc),
            headers=world.auth("ana@example.com", PASSWORD),
        )
    body = response.json()

    if not luhn_valid(number):
        assert (response.status_code, body["code"]) == (402, "incorrect_number")
        assert calls.requests == []
    elif number in DECLINING:
        assert (response.status_code, body["decline_code"]) == (402, DECLINING[number])
        assert body["attempts_left"] == 2
        assert len(calls.requests) == 1  # a decline is final: never retried
        assert calls.charges == []
    elif number == PROCESSING_ERROR:
        assert (response.status_code, body["code"]) == (503, "payment_unavailable")
        assert int(response.headers["retry-after"]) > 0
        assert len(calls.requests) > 1
        assert len({request.idempotency_key for request in calls.requests}) == 1
        assert calls.charges == []
    else:
        assert (response.status_code, body["status"]) == (200, "confirmed")
        [charge] = calls.charges
        assert charge.amount == order.order.amount_due
        assert body["payment"]["last4"] == number[-4:]
        assert body["payment"]["brand"] == ("visa" if number.startswith("4") else "mastercard")
    if response.status_code != 200:  # nothing moved: the quote can still be paid
        after = world.container.get_order()(order.order.customer_id, order.id)
        assert after.status.value == "pending"
    assert number not in response.text
    stored = everything_stored(world)
    assert number not in stored
    assert f"'{cvc}'" not in stored
    assert f'"{cvc}"' not in stored


NAMES = st.sampled_from(
    ["Ana", "<script>alert(1)</script>", 'Tom "T" & Jerry', "O'Neil <b>", "Zoë Ü"]
)


@given(
    first=NAMES,
    target=st.sampled_from(list(Tier)[1:]),
    days_ahead=st.integers(min_value=2, max_value=120),
    mail_failures=st.integers(min_value=0, max_value=3),
)
def test_a_successful_payment_sends_one_confirmation_carrying_the_order(
    first: str, target: Tier, days_ahead: int, mail_failures: int
) -> None:
    """Feature: ticket-auto-process, Property 12: For any successful payment, the system should automatically generate and send confirmation emails to the customer

    Any confirmed upgrade, whatever the customer's name (markup included), through a mail
    server that fails up to three times first: the order is confirmed at once, and once the
    outbox has retried, exactly one confirmation reaches the customer. Both bodies carry the
    confirmation code, ticket number, tier name, the visit date written out, the amount paid
    and the order's address; the HTML body shows the name escaped, never as markup."""  # noqa: E501
    world = fresh_world()
    ana = world.customer("ana@example.com", first=first)
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=days_ahead)
    day = world.day(days_ahead)
    sender = world.container.email_sender()
    sender.failures_to_come = mail_failures

    paid = world.pay(ana, world.quote(ana, ticket, target, day).id)
    assert paid.status.value == "confirmed"  # a mail outage never holds up an order

    for _ in range(mail_failures + 1):
        world.container.dispatch_outbox()()
        world.clock.advance(timedelta(hours=1))  # past any backoff
    [email] = sender.sent
    assert email.to == "ana@example.com"
    code = paid.order.confirmation_code
    assert code is not None
    tier_name = world.container.policy().catalog.describe(target).name
    expected = [
        code.value,
        ticket.number.value,
        tier_name,
        long_date(day),
        str(paid.order.amount_due),
        f"/orders/{paid.id}",
    ]
    for fact in expected:
        assert fact in email.text
        assert str(escape(fact)) in email.html
    assert first in email.text
    assert str(escape(first)) in email.html
    if "<" in first:
        assert first not in email.html
    world.container.dispatch_outbox()()
    assert len(sender.sent) == 1  # nothing is sent twice


@given(
    transient_failures=st.integers(min_value=0, max_value=6),
    declines=st.lists(st.sampled_from(sorted(DECLINING)), max_size=4),
)
def test_a_failed_payment_is_retried_or_reported_and_never_charges_twice(
    transient_failures: int, declines: list[str]
) -> None:
    """Feature: ticket-auto-process, Property 13: For any failed payment, the Payment Gateway should implement retry mechanisms and provide appropriate error notifications

    Any run of declines, then a good card behind a gateway that fails transiently some number
    of times: each decline is reported with its code, never retried, and costs one of three
    attempts; the third closes the order and emails the customer once. Transient failures are
    retried with the same key: within the configured attempts the payment goes through with
    exactly one charge; beyond them the customer is told to retry (payment_unavailable, with
    when), nothing is charged, and the order is still payable."""  # noqa: E501
    world = fresh_world(**NO_WAIT)
    ana, _, order = quoted_order(world, Tier.NON_STOP, 20)
    settings_attempts = world.container.config.payment_retry_attempts()

    def pay(number: str) -> Any:
        return world.pay(ana, order.id, number)

    for index, number in enumerate(declines[:3]):
        with pytest.raises(PaymentDeclinedError) as declined:
            pay(number)
        assert declined.value.decline_code == DECLINING[number]
        if index == 2:
            assert world.container.get_order()(ana, order.id).status.value == "failed"
            [email] = world.sent_emails()
            assert email.to == "ana@example.com"
            assert "declin" in email.text.lower()
            assert len(world.sent_emails()) == 1
            return
    assert world.sent_emails() == []

    calls = GatewayCalls(world, transient_failures)
    if transient_failures < settings_attempts:
        result = pay(CARDS["success"])
        assert result.status.value == "confirmed"
        assert len(calls.charges) == 1
        assert len(calls.requests) == transient_failures + 1
    else:
        with pytest.raises(PaymentUnavailableError) as unavailable:
            pay(CARDS["success"])
        assert (unavailable.value.retry_after or 0) > 0
        assert "try again" in unavailable.value.guidance.lower()
        assert calls.charges == []
        assert len(calls.requests) == settings_attempts
        now = world.container.get_order()(ana, order.id)
        assert now.status.value == "pending"
        assert now.attempts_left == 3 - len(declines)
    assert len({request.idempotency_key for request in calls.requests}) <= 1
