"""Resending a confirmation over HTTP: the same message again (same Message-ID), never queued
twice, only for a confirmed upgrade of one's own; and a customer's name stays text in HTML."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

from adapters.email.file_sender import to_mime
from domain.ids import CustomerId
from domain.tiers import Tier
from infra.container import Container
from tests.builders import World
from tests.e2e.api import assert_problem, pay, quote, without_request_id


@pytest.fixture
def paid(
    client: TestClient[Any], world: World, ana: CustomerId, headers: dict[str, str]
) -> dict[str, Any]:
    """Ana's General ticket upgraded to Non-stop: its confirmation waits in the outbox."""
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=10)
    quoted = quote(client, headers, ticket.number.value, "non-stop", world.day(12))
    assert quoted.status_code == 201, quoted.text
    response = pay(client, headers, quoted.json()["id"])
    assert response.status_code == 200, response.text
    order: dict[str, Any] = response.json()
    return order


def resend(client: TestClient[Any], headers: dict[str, str], order_id: str) -> Any:
    return client.post(f"/api/upgrades/{order_id}/resend-confirmation", headers=headers)


def order_now(client: TestClient[Any], headers: dict[str, str], order_id: str) -> Any:
    response = client.get(f"/api/upgrades/{order_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def emails_of(order: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [(email["kind"], email["status"], email["attempts"]) for email in order["emails"]]


def dispatch(container: Container) -> list[Any]:
    """Send what is due; every email sent so far, in order."""
    container.dispatch_outbox()()
    return list(container.email_sender().sent)


# -- a resend ------------------------------------------------------------------------------------


def test_a_resent_confirmation_is_the_same_message_with_the_same_message_id(
    client: TestClient[Any],
    container: Container,
    headers: dict[str, str],
    paid: dict[str, Any],
) -> None:
    [first] = dispatch(container)
    [queued] = paid["emails"]
    assert first.id == uuid.UUID(queued["id"])

    response = resend(client, headers, paid["id"])

    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "confirmed"
    # The one confirmation is queued again: no second entry, the same id, a fresh delivery.
    [again] = body["emails"]
    assert (again["id"], again["kind"], again["status"]) == (
        queued["id"],
        "upgrade_confirmed",
        "pending",
    )
    assert body["email_status"] == "pending"
    [sent_first, sent_again] = dispatch(container)
    assert sent_first is first
    assert sent_again == first  # same id, recipient, subject and bodies
    assert paid["confirmation_code"] in sent_again.subject
    # On the wire, the Message-ID a mail client threads on is the same.
    sender, clock = "tickets@example.com", container.clock()
    message_ids = {
        line
        for message in (sent_first, sent_again)
        for line in to_mime(message, sender, clock).decode().splitlines()
        if line.startswith("Message-ID:")
    }
    assert message_ids == {f"Message-ID: <{first.id}@example.com>"}


def test_the_orders_emails_show_a_resend_going_from_pending_to_sent(
    client: TestClient[Any],
    container: Container,
    headers: dict[str, str],
    paid: dict[str, Any],
) -> None:
    assert emails_of(paid) == [("upgrade_confirmed", "pending", 0)]
    dispatch(container)
    sent = order_now(client, headers, paid["id"])
    assert emails_of(sent) == [("upgrade_confirmed", "sent", 1)]

    resent = resend(client, headers, paid["id"]).json()

    assert emails_of(resent) == [("upgrade_confirmed", "pending", 0)]
    assert order_now(client, headers, paid["id"]) == resent
    dispatch(container)
    after = order_now(client, headers, paid["id"])
    assert emails_of(after) == [("upgrade_confirmed", "sent", 1)]
    assert after["email_status"] == "sent"


def test_resending_while_the_confirmation_is_still_waiting_queues_nothing_more(
    client: TestClient[Any],
    container: Container,
    headers: dict[str, str],
    paid: dict[str, Any],
) -> None:
    first = resend(client, headers, paid["id"])
    second = resend(client, headers, paid["id"])

    assert first.status_code == second.status_code == 202
    assert emails_of(second.json()) == [("upgrade_confirmed", "pending", 0)]
    assert len(dispatch(container)) == 1
    assert len(dispatch(container)) == 1


def test_resending_twice_quickly_after_it_was_sent_sends_it_once_more(
    client: TestClient[Any],
    container: Container,
    headers: dict[str, str],
    paid: dict[str, Any],
) -> None:
    dispatch(container)

    resend(client, headers, paid["id"])
    resend(client, headers, paid["id"])

    sent = dispatch(container)
    assert len(sent) == 2
    assert len({message.id for message in sent}) == 1
    assert dispatch(container) == sent  # and nothing is left waiting


def test_a_confirmation_the_mail_server_refused_is_delivered_on_resend(
    client: TestClient[Any],
    container: Container,
    headers: dict[str, str],
    paid: dict[str, Any],
) -> None:
    sender = container.email_sender()
    sender.failures_to_come, sender.permanent = 1, True
    assert dispatch(container) == []
    failed = order_now(client, headers, paid["id"])
    assert emails_of(failed) == [("upgrade_confirmed", "failed", 1)]

    resent = resend(client, headers, paid["id"]).json()

    assert emails_of(resent) == [("upgrade_confirmed", "pending", 0)]
    [delivered] = dispatch(container)
    assert delivered.id == uuid.UUID(paid["emails"][0]["id"])
    assert emails_of(order_now(client, headers, paid["id"])) == [("upgrade_confirmed", "sent", 1)]


# -- refused -------------------------------------------------------------------------------------


def test_resending_for_a_quote_not_yet_paid_is_a_422_and_sends_nothing(
    client: TestClient[Any],
    world: World,
    container: Container,
    ana: CustomerId,
    headers: dict[str, str],
) -> None:
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=10)
    pending = quote(client, headers, ticket.number.value, "non-stop", world.day(12)).json()

    response = resend(client, headers, pending["id"])

    body = assert_problem(response, 422, "no_confirmation")
    assert "pending" in body["detail"]
    assert order_now(client, headers, pending["id"])["emails"] == []
    assert dispatch(container) == []


def test_resending_for_a_refunded_upgrade_is_a_422_and_requeues_nothing(
    client: TestClient[Any],
    container: Container,
    headers: dict[str, str],
    paid: dict[str, Any],
) -> None:
    dispatch(container)
    refunded = client.post(f"/api/upgrades/{paid['id']}/refund", headers=headers)
    assert refunded.status_code == 200, refunded.text

    response = resend(client, headers, paid["id"])

    body = assert_problem(response, 422, "no_confirmation")
    assert "refunded" in body["detail"]
    assert [status for _, status, _ in emails_of(order_now(client, headers, paid["id"]))] == [
        "sent",
        "pending",  # the refund email; the confirmation stays sent, not requeued
    ]
    assert len(dispatch(container)) == 2


def test_resending_someone_elses_confirmation_answers_like_an_unknown_order(
    client: TestClient[Any], world: World, container: Container
) -> None:
    ben = world.customer("ben@example.com")
    bens = world.quote(ben, world.ticket(ben), Tier.STANDARD, world.day(5))
    world.pay(ben, bens.id)
    [bens_confirmation] = dispatch(container)
    world.customer("mallory@example.com")
    mallory = world.auth("mallory@example.com")

    theirs = resend(client, mallory, str(bens.id))
    missing = resend(client, mallory, str(uuid.uuid4()))

    assert_problem(theirs, 404, "order_not_found")
    assert without_request_id(theirs.json()) == without_request_id(missing.json())
    bens_order = order_now(client, world.auth("ben@example.com"), str(bens.id))
    assert emails_of(bens_order) == [("upgrade_confirmed", "sent", 1)]
    assert dispatch(container) == [bens_confirmation]


# -- what the customer typed stays text ----------------------------------------------------------


def test_a_name_written_as_markup_is_escaped_in_the_html_of_the_confirmation(
    client: TestClient[Any], world: World, container: Container
) -> None:
    name = "<script>alert(1)</script>"
    owner = world.customer("eve@example.com", first=name, last="O'Hara & Co")
    eve = world.auth("eve@example.com")
    ticket = world.ticket(owner, Tier.GENERAL, visit_in=10)
    order = quote(client, eve, ticket.number.value, "standard", world.day(12)).json()
    assert pay(client, eve, order["id"]).status_code == 200
    assert resend(client, eve, order["id"]).status_code == 202

    [email] = dispatch(container)

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html
    assert "O&#39;Hara &amp; Co" in email.html
    assert "<script" not in email.html.lower()
    # The plain-text body is not HTML: the name is written there as typed.
    assert f"{name} O'Hara & Co" in email.text
