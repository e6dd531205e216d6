"""Refunding an upgrade over HTTP: the money back once, the ticket as it was, the unit released,
an audit trail and an email; refused for orders never paid and from the visit date on; and a
refund the gateway cannot make yet is finished exactly once when it comes back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from adapters.clock import FixedClock
from adapters.payments.dummy import DummyPaymentGateway
from application.audit import SYSTEM_ACTOR, AuditEntry
from application.errors import PaymentUnavailableError
from application.payments import AttemptKind, AttemptOutcome, PaymentAttempt
from application.ports.payments import Refund, RefundRequest
from domain.ids import CustomerId, OrderId
from domain.orders import UpgradeOrder
from domain.tiers import Tier
from infra.container import Container
from infra.settings import Settings
from tests.builders import World
from tests.conftest import make_settings
from tests.e2e.api import Watcher, assert_problem, pay, quote, remaining, without_request_id

AMOUNT_DUE = "77.25"  # Non-stop on Sunday 22 March (136.25) less the 59.00 the ticket cost


@pytest.fixture
def app_settings(tmp_path: Path, signing_pem: str) -> Settings:
    """As in every e2e test, except that the gateway's retries do not pause between tries:
    these tests make the gateway fail on purpose, and what they check is the outcome."""
    return make_settings(
        tmp_path, token_signing_key=signing_pem, payment_retry_first_delay_seconds=0
    )


@dataclass
class RefundSpy:
    """Wraps the raw gateway's `refund` (under the retries and the breaker): every refund request
    that reaches it, what it answered, and the refunds it made."""

    calls: list[tuple[RefundRequest, str]] = field(default_factory=list)
    made: list[Refund] = field(default_factory=list)

    @classmethod
    def install(cls, container: Container) -> RefundSpy:
        spy = cls()
        gateway = container.gateway()
        real_refund = gateway.refund

        def refund(request: RefundRequest) -> Refund:
            try:
                made: Refund = real_refund(request)
            except PaymentUnavailableError:
                spy.calls.append((request, "unavailable"))
                raise
            spy.calls.append((request, "refunded"))
            spy.made.append(made)
            return made

        gateway.refund = refund
        return spy

    @property
    def outcomes(self) -> list[str]:
        return [outcome for _, outcome in self.calls]


@pytest.fixture
def refunds(container: Container) -> RefundSpy:
    return RefundSpy.install(container)


@pytest.fixture
def gateway(container: Container) -> DummyPaymentGateway:
    found = container.gateway()
    assert isinstance(found, DummyPaymentGateway)
    return found


@pytest.fixture
def paid(
    client: TestClient[Any], world: World, ana: CustomerId, headers: dict[str, str]
) -> dict[str, Any]:
    """Ana's General ticket (59.00, Friday 20 March) upgraded to Non-stop on Sunday 22 March."""
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=10)
    quoted = quote(client, headers, ticket.number.value, "non-stop", world.day(12))
    assert quoted.status_code == 201, quoted.text
    response = pay(client, headers, quoted.json()["id"])
    assert response.status_code == 200, response.text
    order: dict[str, Any] = response.json()
    assert (order["status"], order["amount_due"]) == ("confirmed", AMOUNT_DUE)
    return order


# -- helpers -------------------------------------------------------------------------------------


def refund(client: TestClient[Any], headers: dict[str, str], order_id: str) -> Any:
    return client.post(f"/api/upgrades/{order_id}/refund", headers=headers)


def order_now(client: TestClient[Any], headers: dict[str, str], order_id: str) -> Any:
    response = client.get(f"/api/upgrades/{order_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def ticket_now(client: TestClient[Any], headers: dict[str, str], ref: str) -> Any:
    response = client.get(f"/api/tickets/{ref}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def emails_of(order: dict[str, Any]) -> list[tuple[str, str]]:
    return [(email["kind"], email["status"]) for email in order["emails"]]


def audit_trail(container: Container, entity: str, entity_id: str) -> list[AuditEntry]:
    with container.unit_of_work() as uow:
        return list(uow.audit.for_entity(entity, entity_id))


def actions(container: Container, entity: str, entity_id: str) -> list[str]:
    return [entry.action for entry in audit_trail(container, entity, entity_id)]


def refund_attempts(container: Container, order_id: str) -> list[PaymentAttempt]:
    with container.unit_of_work() as uow:
        attempts = uow.payments.for_order(OrderId(uuid.UUID(order_id)))
    return [attempt for attempt in attempts if attempt.kind is AttemptKind.REFUND]


def charge_id_of(container: Container, order_id: str) -> str:
    with container.unit_of_work() as uow:
        order: UpgradeOrder | None = uow.orders.get(OrderId(uuid.UUID(order_id)))
    assert order is not None
    assert order.payment is not None
    return order.payment.payment_id


def sent_kinds(container: Container, order_id: str) -> list[str]:
    """Send what waits in the outbox; the kinds of every email the customer got so far."""
    container.dispatch_outbox()()
    with container.unit_of_work() as uow:
        kinds = {m.id: m.kind.value for m in uow.outbox.for_order(OrderId(uuid.UUID(order_id)))}
    return [kinds[message.id] for message in container.email_sender().sent]


def wait(
    clock: FixedClock, world: World, by: timedelta, watcher: Watcher
) -> tuple[dict[str, str], Watcher]:
    """Let time pass, and sign Ana and the watcher in again (their tokens would have expired)."""
    clock.advance(by)
    fresh = Watcher(world.auth("watcher@example.com"), watcher.ticket)
    return world.auth("ana@example.com"), fresh


def everything(
    client: TestClient[Any],
    container: Container,
    headers: dict[str, str],
    watcher: Watcher,
    order: dict[str, Any],
) -> tuple[Any, ...]:
    """All a refund could change: the order (with its emails), its ticket, the unit it holds or
    sold, the audit trail of both and the payment ledger."""
    return (
        order_now(client, headers, order["id"]),
        ticket_now(client, headers, order["ticket"]),
        remaining(
            client,
            watcher.headers,
            watcher.ticket,
            order["tier"],
            date.fromisoformat(order["date"]),
        ),
        actions(container, "upgrade_order", order["id"]),
        actions(container, "ticket", order["ticket_id"]),
        [(a.kind, a.outcome) for a in refund_attempts(container, order["id"])],
    )


def assert_refunded(
    client: TestClient[Any], headers: dict[str, str], order: dict[str, Any]
) -> None:
    """The order is refunded and its ticket is back on its old tier, date and price."""
    now = order_now(client, headers, order["id"])
    assert now["status"] == "refunded"
    ticket = ticket_now(client, headers, order["ticket"])
    assert (ticket["tier"], ticket["visit_date"], ticket["price_paid"]) == (
        order["previous_tier"],
        order["previous_date"],
        "59.00",
    )


# -- a refund ------------------------------------------------------------------------------------


def test_refunding_a_paid_upgrade_answers_the_refunded_order(
    client: TestClient[Any], headers: dict[str, str], paid: dict[str, Any]
) -> None:
    response = refund(client, headers, paid["id"])

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "refunded"
    # The rest of the order is as it was paid: what was bought, for how much, with what card.
    unchanged = ("id", "tier", "date", "amount_due", "confirmation_code", "payment", "ticket")
    assert {k: body[k] for k in unchanged} == {k: paid[k] for k in unchanged}
    assert order_now(client, headers, paid["id"]) == body


def test_a_refund_puts_the_ticket_back_on_its_previous_tier_date_and_price(
    client: TestClient[Any], world: World, headers: dict[str, str], paid: dict[str, Any]
) -> None:
    upgraded = ticket_now(client, headers, paid["ticket"])
    assert (upgraded["tier"], upgraded["visit_date"], upgraded["price_paid"]) == (
        "non-stop",
        world.day(12).isoformat(),
        str(Decimal("59.00") + Decimal(AMOUNT_DUE)),
    )

    refund(client, headers, paid["id"])

    ticket = ticket_now(client, headers, paid["ticket"])
    assert (ticket["tier"], ticket["visit_date"], ticket["price_paid"]) == (
        "general",
        world.day(10).isoformat(),
        "59.00",
    )
    assert ticket["status"] == "active"
    assert ticket["eligibility"]["eligible"] is True  # it can be upgraded again


def test_a_refund_releases_the_unit_the_upgrade_sold(
    client: TestClient[Any],
    world: World,
    ana: CustomerId,
    headers: dict[str, str],
    watcher: Watcher,
) -> None:
    day = world.day(12)
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=10)
    before = remaining(client, watcher.headers, watcher.ticket, "non-stop", day)
    order = quote(client, headers, ticket.number.value, "non-stop", day).json()
    pay(client, headers, order["id"])
    sold = remaining(client, watcher.headers, watcher.ticket, "non-stop", day)

    refund(client, headers, order["id"])

    assert (before, sold) == (120, 119)
    assert remaining(client, watcher.headers, watcher.ticket, "non-stop", day) == 120


def test_a_refund_gives_the_whole_charge_back_through_the_gateway_once(
    client: TestClient[Any],
    container: Container,
    gateway: DummyPaymentGateway,
    headers: dict[str, str],
    paid: dict[str, Any],
    refunds: RefundSpy,
) -> None:
    charge_id = charge_id_of(container, paid["id"])

    refund(client, headers, paid["id"])

    [made] = refunds.made
    assert made.charge_id == charge_id
    assert made.amount.amount == Decimal(AMOUNT_DUE)
    charge = gateway.get_charge(charge_id)
    assert charge is not None
    assert charge.refunded == charge.amount
    # The payment ledger holds the refund as made, under the charge's one refund key.
    [attempt] = refund_attempts(container, paid["id"])
    assert (attempt.outcome, attempt.charge_id, attempt.refund_id) == (
        AttemptOutcome.SUCCEEDED,
        charge_id,
        made.id,
    )
    assert attempt.amount == made.amount


def test_a_refund_writes_an_audit_trail_of_the_order_and_the_ticket(
    client: TestClient[Any],
    container: Container,
    ana: CustomerId,
    headers: dict[str, str],
    paid: dict[str, Any],
) -> None:
    refund(client, headers, paid["id"])

    order_trail = audit_trail(container, "upgrade_order", paid["id"])
    assert [entry.action for entry in order_trail][-2:] == [
        "upgrade.refund_requested",
        "upgrade.refunded",
    ]
    requested, refunded = order_trail[-2:]
    assert {requested.actor, refunded.actor} == {str(ana)}
    assert refunded.before is not None
    assert refunded.after is not None
    assert (refunded.before["status"], refunded.after["status"]) == ("confirmed", "refunded")
    [*_, restored] = audit_trail(container, "ticket", paid["ticket_id"])
    assert restored.action == "ticket.restored"
    assert restored.actor == str(ana)
    assert restored.before is not None
    assert restored.after is not None
    assert (restored.before["tier"], restored.after["tier"]) == ("non-stop", "general")
    assert restored.after["price_paid"] == "59.00"


def test_the_customer_is_emailed_that_the_upgrade_was_refunded(
    client: TestClient[Any],
    container: Container,
    headers: dict[str, str],
    paid: dict[str, Any],
) -> None:
    assert emails_of(paid) == [("upgrade_confirmed", "pending")]
    container.dispatch_outbox()()
    assert emails_of(order_now(client, headers, paid["id"])) == [("upgrade_confirmed", "sent")]

    refunded = refund(client, headers, paid["id"]).json()

    assert emails_of(refunded) == [("upgrade_confirmed", "sent"), ("upgrade_refunded", "pending")]
    assert refunded["email_status"] == "pending"
    container.dispatch_outbox()()
    after = order_now(client, headers, paid["id"])
    assert emails_of(after) == [("upgrade_confirmed", "sent"), ("upgrade_refunded", "sent")]
    assert after["email_status"] == "sent"
    [_, email] = container.email_sender().sent
    assert email.id == uuid.UUID(after["emails"][1]["id"])
    assert email.to == "ana@example.com"
    assert "refunded" in email.subject.lower()
    for body in (email.text, email.html):
        assert paid["ticket"] in body
        assert f"USD {AMOUNT_DUE}" in body
        assert "Non-stop" in body
    assert "<html" in email.html
    assert "<html" not in email.text


# -- asking twice --------------------------------------------------------------------------------


def test_asking_for_a_refund_twice_answers_the_same_and_refunds_once(
    client: TestClient[Any],
    container: Container,
    headers: dict[str, str],
    paid: dict[str, Any],
    refunds: RefundSpy,
    watcher: Watcher,
) -> None:
    first = refund(client, headers, paid["id"])
    state = everything(client, container, headers, watcher, paid)

    second = refund(client, headers, paid["id"])

    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert refunds.outcomes == ["refunded"]
    assert everything(client, container, headers, watcher, paid) == state
    assert sent_kinds(container, paid["id"]) == ["upgrade_confirmed", "upgrade_refunded"]
    # Asking once more after the email went out sends nothing more either.
    assert refund(client, headers, paid["id"]).json()["status"] == "refunded"
    assert sent_kinds(container, paid["id"]) == ["upgrade_confirmed", "upgrade_refunded"]
    assert refunds.outcomes == ["refunded"]


# -- refused -------------------------------------------------------------------------------------


def test_refunding_someone_elses_order_answers_like_an_unknown_one_and_changes_nothing(
    client: TestClient[Any], world: World, container: Container, refunds: RefundSpy
) -> None:
    ben = world.customer("ben@example.com")
    bens = world.quote(ben, world.ticket(ben), Tier.STANDARD, world.day(5))
    world.pay(ben, bens.id)
    world.customer("mallory@example.com")
    mallory = world.auth("mallory@example.com")

    theirs = refund(client, mallory, str(bens.id))
    missing = refund(client, mallory, str(uuid.uuid4()))

    assert_problem(theirs, 404, "order_not_found")
    assert without_request_id(theirs.json()) == without_request_id(missing.json())
    assert refunds.calls == []
    assert order_now(client, world.auth("ben@example.com"), str(bens.id))["status"] == "confirmed"
    assert refund_attempts(container, str(bens.id)) == []


def test_refunding_a_quote_that_was_never_paid_is_a_422_and_changes_nothing(
    client: TestClient[Any],
    world: World,
    container: Container,
    ana: CustomerId,
    headers: dict[str, str],
    refunds: RefundSpy,
    watcher: Watcher,
) -> None:
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=10)
    pending = quote(client, headers, ticket.number.value, "non-stop", world.day(12)).json()
    state = everything(client, container, headers, watcher, pending)

    response = refund(client, headers, pending["id"])

    body = assert_problem(response, 422, "not_refundable")
    assert "pending" in body["detail"]
    assert everything(client, container, headers, watcher, pending) == state
    assert state[0]["status"] == "pending"
    assert state[2] == 119  # the quote still holds its unit
    assert refunds.calls == []
    # The quote is still payable.
    assert pay(client, headers, pending["id"]).json()["status"] == "confirmed"


def test_refunding_a_cancelled_quote_is_a_422_and_refunds_nothing(
    client: TestClient[Any],
    world: World,
    ana: CustomerId,
    headers: dict[str, str],
    refunds: RefundSpy,
) -> None:
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=10)
    pending = quote(client, headers, ticket.number.value, "non-stop", world.day(12)).json()
    client.post(f"/api/upgrades/{pending['id']}/cancel", headers=headers)

    response = refund(client, headers, pending["id"])

    assert_problem(response, 422, "not_refundable")
    assert order_now(client, headers, pending["id"])["status"] == "cancelled"
    assert refunds.calls == []


@pytest.mark.parametrize(
    "later",
    [
        # 00:00 on the visit date at the park (07:00 UTC).
        timedelta(days=11, hours=15),
        timedelta(days=12),
        timedelta(days=20),
    ],
    ids=["the-visit-day-at-midnight", "the-visit-day", "after-the-visit"],
)
def test_from_the_visit_date_on_a_refund_is_a_422_and_changes_nothing(
    client: TestClient[Any],
    world: World,
    clock: FixedClock,
    container: Container,
    paid: dict[str, Any],
    refunds: RefundSpy,
    watcher: Watcher,
    later: timedelta,
) -> None:
    headers, watcher = wait(clock, world, later, watcher)
    state = everything(client, container, headers, watcher, paid)

    response = refund(client, headers, paid["id"])

    body = assert_problem(response, 422, "visit_date_reached")
    assert paid["date"] in body["detail"]
    assert everything(client, container, headers, watcher, paid) == state
    assert state[0]["status"] == "confirmed"
    assert state[1]["tier"] == "non-stop"
    assert refunds.calls == []
    assert sent_kinds(container, paid["id"]) == ["upgrade_confirmed"]


def test_a_refund_is_allowed_until_the_last_minute_of_the_day_before_the_visit_at_the_park(
    client: TestClient[Any],
    world: World,
    clock: FixedClock,
    paid: dict[str, Any],
    refunds: RefundSpy,
    watcher: Watcher,
) -> None:
    # 23:59 on Saturday 21 March at the park: already Sunday the 22nd (the visit date) in UTC.
    headers, _ = wait(clock, world, timedelta(days=11, hours=14, minutes=59), watcher)

    response = refund(client, headers, paid["id"])

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "refunded"
    assert refunds.outcomes == ["refunded"]


def test_an_upgrade_the_ticket_has_moved_on_from_is_refused_until_the_later_one_is_refunded(
    client: TestClient[Any],
    world: World,
    headers: dict[str, str],
    paid: dict[str, Any],
    refunds: RefundSpy,
) -> None:
    later = quote(client, headers, paid["ticket"], "double-fun", world.day(12)).json()
    assert pay(client, headers, later["id"]).json()["status"] == "confirmed"

    superseded = refund(client, headers, paid["id"])

    assert_problem(superseded, 422, "upgrade_superseded")
    assert refunds.calls == []
    assert ticket_now(client, headers, paid["ticket"])["tier"] == "double-fun"
    # Undone in reverse order, each refund puts the ticket back one step.
    assert refund(client, headers, later["id"]).json()["status"] == "refunded"
    assert ticket_now(client, headers, paid["ticket"])["tier"] == "non-stop"
    assert refund(client, headers, paid["id"]).json()["status"] == "refunded"
    assert_refunded(client, headers, paid)
    assert refunds.outcomes == ["refunded", "refunded"]


# -- the gateway failing -------------------------------------------------------------------------


def test_a_refund_the_gateway_cannot_make_is_a_503_refund_pending_and_moves_nothing_yet(
    client: TestClient[Any],
    world: World,
    container: Container,
    gateway: DummyPaymentGateway,
    headers: dict[str, str],
    paid: dict[str, Any],
    refunds: RefundSpy,
    watcher: Watcher,
) -> None:
    gateway.faults.outage = True

    response = refund(client, headers, paid["id"])

    body = assert_problem(response, 503, "refund_pending")
    assert int(response.headers["retry-after"]) > 0
    assert "never refunds twice" in body["guidance"]
    assert set(refunds.outcomes) == {"unavailable"}
    # Nothing is half done: the upgrade stands, paid for, until the money is actually back.
    order = order_now(client, headers, paid["id"])
    assert order["status"] == "confirmed"
    assert emails_of(order) == [("upgrade_confirmed", "pending")]
    ticket = ticket_now(client, headers, paid["ticket"])
    assert (ticket["tier"], ticket["visit_date"]) == ("non-stop", world.day(12).isoformat())
    assert remaining(client, watcher.headers, watcher.ticket, "non-stop", world.day(12)) == 119
    gateway.faults.outage = False  # to look at the charge: it was not given back
    charge = gateway.get_charge(charge_id_of(container, paid["id"]))
    assert charge is not None
    assert charge.refunded is None
    # ...and the refund is written down, so that it gets finished.
    [attempt] = refund_attempts(container, paid["id"])
    assert attempt.outcome is AttemptOutcome.STARTED
    assert actions(container, "upgrade_order", paid["id"])[-1] == "upgrade.refund_requested"


def test_asking_again_once_the_gateway_is_back_finishes_the_refund_exactly_once(
    client: TestClient[Any],
    world: World,
    container: Container,
    gateway: DummyPaymentGateway,
    headers: dict[str, str],
    paid: dict[str, Any],
    refunds: RefundSpy,
    watcher: Watcher,
) -> None:
    gateway.faults.outage = True
    assert_problem(refund(client, headers, paid["id"]), 503, "refund_pending")
    gateway.faults.outage = False

    response = refund(client, headers, paid["id"])

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "refunded"
    assert_refunded(client, headers, paid)
    assert refunds.outcomes.count("refunded") == 1
    assert len({request.idempotency_key for request, _ in refunds.calls}) == 1
    charge = gateway.get_charge(charge_id_of(container, paid["id"]))
    assert charge is not None
    assert charge.refunded == charge.amount
    assert remaining(client, watcher.headers, watcher.ticket, "non-stop", world.day(12)) == 120
    [attempt] = refund_attempts(container, paid["id"])
    assert attempt.outcome is AttemptOutcome.SUCCEEDED
    trail = actions(container, "upgrade_order", paid["id"])
    assert trail.count("upgrade.refund_requested") == 1
    assert trail.count("upgrade.refunded") == 1
    assert sent_kinds(container, paid["id"]) == ["upgrade_confirmed", "upgrade_refunded"]


def test_while_the_breaker_is_open_a_refund_stays_pending_and_is_made_once_it_closes(
    client: TestClient[Any],
    app_settings: Settings,
    clock: FixedClock,
    gateway: DummyPaymentGateway,
    headers: dict[str, str],
    paid: dict[str, Any],
    refunds: RefundSpy,
) -> None:
    gateway.faults.outage = True
    refund(client, headers, paid["id"])
    opened = refund(client, headers, paid["id"])  # its failures open the breaker
    gateway.faults.outage = False
    tried = len(refunds.calls)

    still_open = refund(client, headers, paid["id"])

    assert_problem(opened, 503, "refund_pending")
    assert_problem(still_open, 503, "refund_pending")
    assert int(still_open.headers["retry-after"]) == round(app_settings.breaker_recovery_seconds)
    assert len(refunds.calls) == tried  # the open breaker did not call the gateway
    assert order_now(client, headers, paid["id"])["status"] == "confirmed"
    clock.advance(timedelta(seconds=app_settings.breaker_recovery_seconds))
    closed = refund(client, headers, paid["id"])
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "refunded"
    assert refunds.outcomes.count("refunded") == 1


def test_a_pending_refund_is_finished_once_by_reconciliation_and_asking_again_adds_nothing(
    client: TestClient[Any],
    app_settings: Settings,
    clock: FixedClock,
    container: Container,
    gateway: DummyPaymentGateway,
    headers: dict[str, str],
    paid: dict[str, Any],
    refunds: RefundSpy,
) -> None:
    gateway.faults.outage = True
    assert_problem(refund(client, headers, paid["id"]), 503, "refund_pending")
    gateway.faults.outage = False
    clock.advance(timedelta(seconds=app_settings.reconcile_grace_seconds + 1))

    report = container.reconcile_payments()()

    assert report.refunds_finished == 1
    assert_refunded(client, headers, paid)
    assert refunds.outcomes.count("refunded") == 1
    trail = audit_trail(container, "upgrade_order", paid["id"])
    [finished] = [entry for entry in trail if entry.action == "upgrade.refunded"]
    assert finished.actor == SYSTEM_ACTOR
    # The customer asking again, and the reconciler running again, change nothing more.
    again = refund(client, headers, paid["id"])
    assert again.status_code == 200
    assert again.json()["status"] == "refunded"
    assert container.reconcile_payments()().refunds_finished == 0
    assert refunds.outcomes.count("refunded") == 1
    assert sent_kinds(container, paid["id"]) == ["upgrade_confirmed", "upgrade_refunded"]


def test_a_refund_asked_for_in_time_stands_when_the_gateway_comes_back_after_the_visit_date(
    client: TestClient[Any],
    world: World,
    clock: FixedClock,
    container: Container,
    gateway: DummyPaymentGateway,
    headers: dict[str, str],
    paid: dict[str, Any],
    refunds: RefundSpy,
    watcher: Watcher,
) -> None:
    gateway.faults.outage = True
    pending = refund(client, headers, paid["id"])
    assert_problem(pending, 503, "refund_pending")
    # The visit date passes while the gateway is down.
    headers, _ = wait(clock, world, timedelta(days=13), watcher)
    gateway.faults.outage = False

    # The 503 said asking again is safe: it must finish the refund, not deny it.
    response = refund(client, headers, paid["id"])

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "refunded"
    assert refunds.outcomes.count("refunded") == 1
    assert container.reconcile_payments()().refunds_finished == 0


# -- a refund and a new upgrade of the same ticket never cross -----------------------------------


def test_while_a_refund_is_pending_the_ticket_cannot_be_upgraded_again(
    client: TestClient[Any],
    world: World,
    gateway: DummyPaymentGateway,
    headers: dict[str, str],
    paid: dict[str, Any],
) -> None:
    """Finishing the refund puts the ticket back as it was before the refunded upgrade: an
    upgrade paid meanwhile would be undone with it, its money kept. So it must wait."""
    gateway.faults.outage = True
    assert_problem(refund(client, headers, paid["id"]), 503, "refund_pending")

    gateway.faults.outage = False
    refused = quote(client, headers, paid["ticket"], "double-fun", world.day(12))

    assert_problem(refused, 422, "upgrade_in_progress")
    # Once the refund is made, the ticket (back on General) can be upgraded again.
    assert refund(client, headers, paid["id"]).json()["status"] == "refunded"
    again = quote(client, headers, paid["ticket"], "double-fun", world.day(12))
    assert again.status_code == 201, again.text
    assert pay(client, headers, again.json()["id"]).json()["status"] == "confirmed"
    assert ticket_now(client, headers, paid["ticket"])["tier"] == "double-fun"


def test_a_refund_waits_while_a_newer_quote_of_the_ticket_holds_a_unit(
    client: TestClient[Any],
    world: World,
    headers: dict[str, str],
    paid: dict[str, Any],
    refunds: RefundSpy,
) -> None:
    newer = quote(client, headers, paid["ticket"], "double-fun", world.day(12)).json()

    refused = refund(client, headers, paid["id"])

    assert_problem(refused, 422, "upgrade_in_progress")
    assert refunds.calls == []
    assert order_now(client, headers, paid["id"])["status"] == "confirmed"
    # Cancelling the newer quote lets the refund through.
    assert client.post(f"/api/upgrades/{newer['id']}/cancel", headers=headers).status_code == 200
    assert refund(client, headers, paid["id"]).json()["status"] == "refunded"
    assert ticket_now(client, headers, paid["ticket"])["tier"] == "general"
