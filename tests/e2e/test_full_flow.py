"""The whole journey a customer makes, through the HTTP API only (but for the ticket purchase,
which happens elsewhere, and the outbox dispatcher, which the test runs by hand)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from litestar.testing import TestClient

from domain.ids import CustomerId
from infra.container import Container
from tests.builders import CARDS, World
from tests.e2e.api import CONFIRMATION_CODE, card_body


def test_sign_up_find_the_ticket_pick_a_date_quote_pay_and_get_the_code_by_email(
    client: TestClient[Any], world: World, container: Container
) -> None:
    # Sign up and sign in.
    password = "Roller-coaster-7"
    account = client.post(
        "/api/auth/register",
        json={
            "email": "Ana@Example.com",
            "password": password,
            "first_name": "Ana",
            "last_name": "Lopez",
        },
    )
    assert account.status_code == 201, account.text
    login = client.post("/api/auth/login", json={"email": "ana@example.com", "password": password})
    assert login.status_code == 200, login.text
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = client.get("/api/me", headers=auth).json()
    assert me["id"] == account.json()["id"]

    # The ticket Ana bought (General, 20 March) shows up, upgradeable.
    bought = world.ticket(CustomerId(uuid.UUID(me["id"])), visit_in=10)
    [ticket] = client.get("/api/tickets", headers=auth).json()
    assert ticket["number"] == bought.number.value
    assert ticket["eligibility"]["eligible"] is True
    eligibility = client.get(f"/api/tickets/{ticket['number']}/eligibility", headers=auth)
    assert eligibility.json()["eligible"] is True

    # The calendar: pick the first date on which Non-stop is available.
    options = client.get(
        f"/api/tickets/{ticket['number']}/upgrade-options", params={"days": 14}, headers=auth
    ).json()
    assert [tier["key"] for tier in options["tiers"]] == ["standard", "non-stop", "double-fun"]
    chosen = next(day for day in options["calendar"] if day["tiers"]["non-stop"]["available"])
    offer = chosen["tiers"]["non-stop"]

    # Quote it: the price and amount due are the calendar's.
    quoted = client.post(
        "/api/upgrades",
        json={"ticket": ticket["number"], "tier": "non-stop", "date": chosen["date"]},
        headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert quoted.status_code == 201, quoted.text
    order = quoted.json()
    assert (order["status"], order["price"], order["amount_due"]) == (
        "pending",
        offer["price"],
        offer["amount_due"],
    )

    # Pay with the good test card.
    paid = client.post(
        f"/api/upgrades/{order['id']}/payment",
        json=card_body(CARDS["success"]),
        headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert paid.status_code == 200, paid.text
    confirmed = paid.json()
    assert confirmed["status"] == "confirmed"
    code = confirmed["confirmation_code"]
    assert CONFIRMATION_CODE.fullmatch(code)

    # The order and the ticket say so.
    assert client.get(f"/api/upgrades/{order['id']}", headers=auth).json() == confirmed
    upgraded = client.get(f"/api/tickets/{ticket['number']}", headers=auth).json()
    assert (upgraded["tier"], upgraded["visit_date"]) == ("non-stop", chosen["date"])
    assert Decimal(upgraded["price_paid"]) == Decimal(ticket["price_paid"]) + Decimal(
        offer["amount_due"]
    )

    # The confirmation email carries the code, and the order records that it was sent.
    container.dispatch_outbox()()
    [email] = container.email_sender().sent
    assert email.to == "ana@example.com"
    assert code in email.subject
    for part in (email.text, email.html):
        assert code in part
        assert ticket["number"] in part
        assert "Non-stop" in part
        assert offer["amount_due"] in part
    visit = date.fromisoformat(chosen["date"])
    assert f"{visit:%B} {visit.day}, {visit.year}" in email.text
    assert CARDS["success"] not in email.text + email.html
    assert client.get(f"/api/upgrades/{order['id']}", headers=auth).json()["email_status"] == (
        "sent"
    )
    [listed] = client.get("/api/upgrades", headers=auth).json()
    assert listed["confirmation_code"] == code
