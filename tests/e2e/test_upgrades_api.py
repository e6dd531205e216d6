"""Upgrade orders over HTTP: quoting, reading, cancelling, expiry and idempotent quotes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from adapters.clock import FixedClock
from domain.tickets import TicketStatus
from domain.tiers import Tier
from tests.builders import World
from tests.e2e.api import (
    Api,
    Watcher,
    assert_problem,
    my_orders,
    pay,
    quote,
    quote_body,
    remaining,
    without_request_id,
)

# -- quoting ---------------------------------------------------------------------------------


def test_a_quote_creates_a_pending_order_that_holds_one_unit_for_15_minutes(
    client: TestClient[Any], world: World, ana: Any, headers: dict[str, str], watcher: Watcher
) -> None:
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=10)  # 59.00 paid
    day = world.day(4)  # Saturday 14 March: Non-stop costs 136.25
    before = remaining(client, watcher.headers, watcher.ticket, "non-stop", day)

    response = quote(client, headers, ticket.number.value, "non-stop", day)

    assert response.status_code == 201, response.text
    order = response.json()
    uuid.UUID(order["id"])
    assert order["status"] == "pending"
    assert order["ticket"] == ticket.number.value
    assert order["ticket_id"] == str(ticket.id)
    assert (order["tier"], order["date"]) == ("non-stop", day.isoformat())
    assert (order["price"], order["amount_due"], order["currency"]) == ("136.25", "77.25", "USD")
    created = datetime.fromisoformat(order["created_at"])
    assert created == world.clock.now()
    assert datetime.fromisoformat(order["expires_at"]) - created == timedelta(minutes=15)
    assert order["confirmation_code"] is None
    assert order["payment"] is None
    assert order["email_status"] is None
    assert order["attempts_left"] == 3
    assert (order["previous_tier"], order["previous_date"]) == (
        "general",
        world.day(10).isoformat(),
    )
    assert remaining(client, watcher.headers, watcher.ticket, "non-stop", day) == before - 1
    # The base ticket keeps its tier and date until the upgrade is paid.
    stored = client.get(f"/api/tickets/{ticket.number}", headers=headers).json()
    assert (stored["tier"], stored["visit_date"]) == ("general", world.day(10).isoformat())
    assert stored["eligibility"]["code"] == "upgrade_in_progress"


@pytest.mark.parametrize(
    "spell",
    [lambda t: str(t.id), lambda t: t.number.value.lower(), lambda t: f" {t.number.value} "],
    ids=["uuid", "lower-case-number", "padded-number"],
)
def test_a_quote_accepts_the_ticket_by_id_or_number_in_any_case(
    client: TestClient[Any],
    world: World,
    ana: Any,
    headers: dict[str, str],
    spell: Callable[[Any], str],
) -> None:
    ticket = world.ticket(ana)

    response = quote(client, headers, spell(ticket), "standard", world.day(5))

    assert response.status_code == 201, response.text
    assert response.json()["ticket_id"] == str(ticket.id)


def test_the_order_can_be_read_back_and_is_listed_newest_first(
    client: TestClient[Any], world: World, ana: Any, headers: dict[str, str], clock: FixedClock
) -> None:
    first = quote(client, headers, world.ticket(ana).number.value, "standard", world.day(5))
    clock.advance(timedelta(minutes=1))
    second = quote(client, headers, world.ticket(ana).number.value, "double-fun", world.day(6))

    listed = my_orders(client, headers)
    one = client.get(f"/api/upgrades/{first.json()['id']}", headers=headers)

    assert [o["id"] for o in listed] == [second.json()["id"], first.json()["id"]]
    assert one.status_code == 200
    assert one.json() == first.json()


def test_orders_list_only_my_own(client: TestClient[Any], world: World, ana: Any) -> None:
    ben = world.customer("ben@example.com")
    world.quote(ben, world.ticket(ben), Tier.STANDARD, world.day(5))

    assert my_orders(client, world.auth("ana@example.com")) == []
    assert len(my_orders(client, world.auth("ben@example.com"))) == 1


def test_an_unknown_ticket_cannot_be_quoted(
    client: TestClient[Any], world: World, headers: dict[str, str]
) -> None:
    response = quote(client, headers, "TKT-99999999", "standard", world.day(5))

    assert_problem(response, 404, "ticket_not_found")
    assert my_orders(client, headers) == []


def test_quoting_someone_elses_ticket_answers_exactly_like_an_unknown_one(
    client: TestClient[Any], world: World, headers: dict[str, str], watcher: Watcher
) -> None:
    ben = world.customer("ben@example.com")
    bens = world.ticket(ben)
    day = world.day(5)

    theirs = quote(client, headers, bens.number.value, "standard", day)
    theirs_by_id = quote(client, headers, str(bens.id), "standard", day)
    missing = quote(client, headers, "TKT-99999999", "standard", day)

    for response in (theirs, theirs_by_id, missing):
        assert_problem(response, 404, "ticket_not_found")
    assert without_request_id(theirs.json()) == without_request_id(missing.json())
    assert without_request_id(theirs_by_id.json()) == without_request_id(missing.json())
    assert bens.number.value not in theirs.text
    assert my_orders(client, headers) == []
    assert my_orders(client, world.auth("ben@example.com")) == []
    assert remaining(client, watcher.headers, watcher.ticket, "standard", day) == 300


INELIGIBLE: list[tuple[str, dict[str, Any]]] = [
    ("ticket_not_active", {"status": TicketStatus.USED}),
    ("ticket_not_active", {"status": TicketStatus.CANCELLED}),
    ("ticket_not_active", {"status": TicketStatus.EXPIRED}),
    ("ticket_not_active", {"status": TicketStatus.REFUNDED}),
    ("visit_date_passed", {"visit_in": -1}),
    ("already_top_tier", {"tier": Tier.DOUBLE_FUN}),
]


@pytest.mark.parametrize(
    ("code", "ticket_kwargs"),
    INELIGIBLE,
    ids=[f"{code}-{i}" for i, (code, _) in enumerate(INELIGIBLE)],
)
def test_an_ineligible_ticket_cannot_be_quoted_and_nothing_is_held(
    client: TestClient[Any],
    world: World,
    ana: Any,
    headers: dict[str, str],
    watcher: Watcher,
    code: str,
    ticket_kwargs: dict[str, Any],
) -> None:
    ticket = world.ticket(ana, **ticket_kwargs)
    day = world.day(5)

    body = assert_problem(quote(client, headers, ticket.number.value, "double-fun", day), 422, code)

    assert body["guidance"] or code != "ticket_not_active"
    assert my_orders(client, headers) == []
    assert remaining(client, watcher.headers, watcher.ticket, "double-fun", day) == 40


def test_a_ticket_with_an_upgrade_waiting_for_payment_cannot_be_quoted_again(
    client: TestClient[Any], world: World, ana: Any, headers: dict[str, str], watcher: Watcher
) -> None:
    ticket = world.ticket(ana)
    day = world.day(5)
    first = quote(client, headers, ticket.number.value, "standard", day)
    assert first.status_code == 201

    second = quote(client, headers, ticket.number.value, "non-stop", day)

    assert_problem(second, 422, "upgrade_in_progress")
    assert [o["id"] for o in my_orders(client, headers)] == [first.json()["id"]]
    assert remaining(client, watcher.headers, watcher.ticket, "non-stop", day) == 120
    assert remaining(client, watcher.headers, watcher.ticket, "standard", day) == 299


@pytest.mark.parametrize(
    ("ticket_tier", "tier"),
    [(Tier.STANDARD, "standard"), (Tier.NON_STOP, "standard"), (Tier.STANDARD, "general")],
)
def test_an_upgrade_must_go_up_the_ladder(
    client: TestClient[Any],
    world: World,
    ana: Any,
    headers: dict[str, str],
    ticket_tier: Tier,
    tier: str,
) -> None:
    ticket = world.ticket(ana, ticket_tier)

    response = quote(client, headers, ticket.number.value, tier, world.day(5))

    assert_problem(response, 422, "tier_not_higher")
    assert my_orders(client, headers) == []


@pytest.mark.parametrize(
    ("tier", "code"),
    [("gold", "invalid_tier"), ("premium-plus", "invalid_tier"), ("", "invalid_request")],
)
def test_an_unknown_tier_is_a_400(
    client: TestClient[Any],
    world: World,
    ana: Any,
    headers: dict[str, str],
    tier: str,
    code: str,
) -> None:
    ticket = world.ticket(ana)

    response = quote(client, headers, ticket.number.value, tier, world.day(5))

    assert_problem(response, 400, code)
    assert my_orders(client, headers) == []


@pytest.mark.parametrize("days_ahead", [-3, 0, 1, 121, 400])
def test_a_date_outside_the_booking_window_cannot_be_quoted(
    client: TestClient[Any],
    world: World,
    ana: Any,
    headers: dict[str, str],
    days_ahead: int,
) -> None:
    ticket = world.ticket(ana)

    response = quote(client, headers, ticket.number.value, "standard", world.day(days_ahead))

    body = assert_problem(response, 422, "date_out_of_window")
    assert "2" in body["guidance"]
    assert "120" in body["guidance"]
    assert my_orders(client, headers) == []


@pytest.mark.parametrize("days_ahead", [2, 120])
def test_the_first_and_last_bookable_dates_can_be_quoted(
    client: TestClient[Any], world: World, ana: Any, headers: dict[str, str], days_ahead: int
) -> None:
    ticket = world.ticket(ana)

    response = quote(client, headers, ticket.number.value, "standard", world.day(days_ahead))

    assert response.status_code == 201, response.text


def test_a_closed_date_cannot_be_quoted(make_api: Callable[..., Api]) -> None:
    closed = date(2026, 3, 20)
    api = make_api(closures=[closed])
    ana = api.world.customer("ana@example.com")
    headers = api.world.auth("ana@example.com")
    ticket = api.world.ticket(ana)

    response = quote(api.client, headers, ticket.number.value, "standard", closed)

    assert_problem(response, 422, "date_closed")
    assert my_orders(api.client, headers) == []


def test_a_sold_out_tier_cannot_be_quoted_and_what_remains_is_unchanged(
    make_api: Callable[..., Api],
) -> None:
    day = date(2026, 3, 20)
    api = make_api(capacity_overrides={f"{day}:double-fun": 1})
    world, client = api.world, api.client
    ben = world.customer("ben@example.com")
    bens = world.ticket(ben)
    ben_headers = world.auth("ben@example.com")
    ana = world.customer("ana@example.com")
    headers = world.auth("ana@example.com")
    anas = world.ticket(ana)
    spare = world.ticket(ana)  # to read the calendar while the first ticket is busy
    assert quote(client, ben_headers, bens.number.value, "double-fun", day).status_code == 201
    assert remaining(client, headers, spare.number.value, "double-fun", day) == 0

    response = quote(client, headers, anas.number.value, "double-fun", day)

    assert_problem(response, 422, "sold_out")
    assert my_orders(client, headers) == []
    assert remaining(client, headers, spare.number.value, "double-fun", day) == 0
    assert remaining(client, headers, spare.number.value, "non-stop", day) == 120
    # Another tier that day, or the same tier another day, is still open to Ana.
    assert quote(client, headers, anas.number.value, "non-stop", day).status_code == 201


def test_a_unit_released_by_a_cancelled_quote_can_be_quoted_by_someone_else(
    make_api: Callable[..., Api],
) -> None:
    day = date(2026, 3, 20)
    api = make_api(capacity_overrides={f"{day}:double-fun": 1})
    world, client = api.world, api.client
    ben = world.customer("ben@example.com")
    ben_headers = world.auth("ben@example.com")
    ana = world.customer("ana@example.com")
    headers = world.auth("ana@example.com")
    bens = quote(client, ben_headers, world.ticket(ben).number.value, "double-fun", day).json()
    anas = world.ticket(ana)
    assert_problem(quote(client, headers, anas.number.value, "double-fun", day), 422, "sold_out")

    client.post(f"/api/upgrades/{bens['id']}/cancel", headers=ben_headers)

    assert quote(client, headers, anas.number.value, "double-fun", day).status_code == 201


BAD_QUOTES: list[tuple[str, Any]] = [
    ("missing-ticket", {"tier": "standard", "date": "2026-03-20"}),
    ("missing-tier", {"ticket": "TKT-00000001", "date": "2026-03-20"}),
    ("missing-date", {"ticket": "TKT-00000001", "tier": "standard"}),
    ("empty-object", {}),
    ("ticket-wrong-type", {"ticket": 1, "tier": "standard", "date": "2026-03-20"}),
    ("tier-wrong-type", {"ticket": "TKT-00000001", "tier": ["standard"], "date": "2026-03-20"}),
    ("date-wrong-type", {"ticket": "TKT-00000001", "tier": "standard", "date": True}),
    ("ticket-null", {"ticket": None, "tier": "standard", "date": "2026-03-20"}),
    ("extra-field", {"ticket": "TKT-00000001", "tier": "standard", "date": "2026-03-20", "x": 1}),
    (
        "price-injected",
        {"ticket": "TKT-00000001", "tier": "standard", "date": "2026-03-20", "amount_due": "0.01"},
    ),
    ("date-impossible", {"ticket": "TKT-00000001", "tier": "standard", "date": "2026-02-30"}),
    ("date-month-13", {"ticket": "TKT-00000001", "tier": "standard", "date": "2026-13-01"}),
    ("date-us-format", {"ticket": "TKT-00000001", "tier": "standard", "date": "03/20/2026"}),
    ("date-words", {"ticket": "TKT-00000001", "tier": "standard", "date": "next friday"}),
    ("date-empty", {"ticket": "TKT-00000001", "tier": "standard", "date": ""}),
    ("date-timestamp", {"ticket": "TKT-00000001", "tier": "standard", "date": 1773964800}),
    ("date-with-time", {"ticket": "TKT-00000001", "tier": "standard", "date": "2026-03-20T00:00"}),
    ("date-compact", {"ticket": "TKT-00000001", "tier": "standard", "date": "20260320"}),
    ("ticket-empty", {"ticket": "", "tier": "standard", "date": "2026-03-20"}),
    ("not-an-object", ["TKT-00000001", "standard", "2026-03-20"]),
    ("a-string", "TKT-00000001"),
]


@pytest.mark.parametrize("body", [b for _, b in BAD_QUOTES], ids=[i for i, _ in BAD_QUOTES])
def test_a_malformed_quote_is_a_400_and_creates_nothing(
    client: TestClient[Any],
    world: World,
    ana: Any,
    headers: dict[str, str],
    watcher: Watcher,
    body: Any,
) -> None:
    world.ticket(ana)  # TKT-00000001

    response = client.post("/api/upgrades", json=body, headers=headers)

    problem = assert_problem(response, 400, "invalid_request")
    assert isinstance(problem.get("errors"), list)
    assert my_orders(client, headers) == []
    assert remaining(client, watcher.headers, watcher.ticket, "standard", date(2026, 3, 20)) == 300


@pytest.mark.parametrize(
    "raw",
    [b'{"ticket": "TKT-00000001", "tier": "standard",', b"not json", b"", b"\xff\xfe"],
    ids=["truncated", "not-json", "empty", "not-utf8"],
)
def test_a_quote_that_is_not_json_is_a_400_and_creates_nothing(
    client: TestClient[Any], world: World, ana: Any, headers: dict[str, str], raw: bytes
) -> None:
    world.ticket(ana)

    response = client.post(
        "/api/upgrades", content=raw, headers={**headers, "Content-Type": "application/json"}
    )

    assert_problem(response, 400, "invalid_request")
    assert my_orders(client, headers) == []


def test_a_quote_for_a_malformed_ticket_reference_is_a_400(
    client: TestClient[Any], world: World, headers: dict[str, str]
) -> None:
    response = quote(client, headers, "TKT-12", "standard", world.day(5))

    assert_problem(response, 400, "invalid_ticket_reference")
    assert my_orders(client, headers) == []


# -- reading someone else's --------------------------------------------------------------------


def test_someone_elses_order_answers_exactly_like_an_unknown_one(
    client: TestClient[Any], world: World, headers: dict[str, str]
) -> None:
    ben = world.customer("ben@example.com")
    bens = world.quote(ben, world.ticket(ben), Tier.STANDARD, world.day(5))

    theirs = client.get(f"/api/upgrades/{bens.id}", headers=headers)
    missing = client.get(f"/api/upgrades/{uuid.uuid4()}", headers=headers)

    assert_problem(theirs, 404, "order_not_found")
    assert_problem(missing, 404, "order_not_found")
    assert without_request_id(theirs.json()) == without_request_id(missing.json())
    assert "TKT-" not in theirs.text


def test_an_order_id_that_is_not_a_uuid_is_not_found(
    client: TestClient[Any], headers: dict[str, str]
) -> None:
    response = client.get("/api/upgrades/12345", headers=headers)

    assert response.status_code in {400, 404}
    assert response.headers["content-type"].startswith("application/problem+json")


# -- cancelling ------------------------------------------------------------------------------


def test_cancelling_a_quote_releases_its_hold_and_frees_the_ticket(
    client: TestClient[Any], world: World, ana: Any, headers: dict[str, str], watcher: Watcher
) -> None:
    ticket = world.ticket(ana)
    day = world.day(5)
    order = quote(client, headers, ticket.number.value, "non-stop", day).json()
    assert remaining(client, watcher.headers, watcher.ticket, "non-stop", day) == 119

    response = client.post(f"/api/upgrades/{order['id']}/cancel", headers=headers)

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert response.json()["id"] == order["id"]
    assert client.get(f"/api/upgrades/{order['id']}", headers=headers).json()["status"] == (
        "cancelled"
    )
    assert remaining(client, watcher.headers, watcher.ticket, "non-stop", day) == 120
    eligibility = client.get(f"/api/tickets/{ticket.number}/eligibility", headers=headers)
    assert eligibility.json()["eligible"] is True
    assert quote(client, headers, ticket.number.value, "standard", day).status_code == 201


def test_cancelling_twice_is_harmless(
    client: TestClient[Any], world: World, ana: Any, headers: dict[str, str], watcher: Watcher
) -> None:
    day = world.day(5)
    order = quote(client, headers, world.ticket(ana).number.value, "standard", day).json()
    client.post(f"/api/upgrades/{order['id']}/cancel", headers=headers)

    again = client.post(f"/api/upgrades/{order['id']}/cancel", headers=headers)

    assert again.status_code == 200
    assert again.json()["status"] == "cancelled"
    assert remaining(client, watcher.headers, watcher.ticket, "standard", day) == 300


def test_a_paid_upgrade_cannot_be_cancelled(
    client: TestClient[Any], world: World, ana: Any, headers: dict[str, str]
) -> None:
    order = quote(client, headers, world.ticket(ana).number.value, "standard", world.day(5))
    assert pay(client, headers, order.json()["id"]).status_code == 200

    response = client.post(f"/api/upgrades/{order.json()['id']}/cancel", headers=headers)

    assert_problem(response, 422, "order_already_paid")
    assert (
        client.get(f"/api/upgrades/{order.json()['id']}", headers=headers).json()["status"]
        == "confirmed"
    )


def test_an_expired_quote_cannot_be_cancelled(
    client: TestClient[Any], world: World, ana: Any, headers: dict[str, str], clock: FixedClock
) -> None:
    order = quote(client, headers, world.ticket(ana).number.value, "standard", world.day(5))
    clock.advance(timedelta(minutes=16))

    response = client.post(f"/api/upgrades/{order.json()['id']}/cancel", headers=headers)

    assert_problem(response, 422, "order_expired")


def test_cancelling_someone_elses_order_answers_like_an_unknown_one_and_changes_nothing(
    client: TestClient[Any], world: World, headers: dict[str, str]
) -> None:
    ben = world.customer("ben@example.com")
    bens = world.quote(ben, world.ticket(ben), Tier.STANDARD, world.day(5))

    theirs = client.post(f"/api/upgrades/{bens.id}/cancel", headers=headers)
    missing = client.post(f"/api/upgrades/{uuid.uuid4()}/cancel", headers=headers)

    assert_problem(theirs, 404, "order_not_found")
    assert without_request_id(theirs.json()) == without_request_id(missing.json())
    ben_headers = world.auth("ben@example.com")
    assert client.get(f"/api/upgrades/{bens.id}", headers=ben_headers).json()["status"] == (
        "pending"
    )


# -- expiry ----------------------------------------------------------------------------------


def test_a_quote_expires_after_15_minutes_and_its_hold_lapses(
    client: TestClient[Any],
    world: World,
    ana: Any,
    headers: dict[str, str],
    watcher: Watcher,
    clock: FixedClock,
) -> None:
    ticket = world.ticket(ana)
    day = world.day(5)
    order = quote(client, headers, ticket.number.value, "double-fun", day).json()

    clock.advance(timedelta(minutes=14, seconds=59))
    assert client.get(f"/api/upgrades/{order['id']}", headers=headers).json()["status"] == (
        "pending"
    )
    assert remaining(client, watcher.headers, watcher.ticket, "double-fun", day) == 39

    clock.advance(timedelta(seconds=1))
    assert client.get(f"/api/upgrades/{order['id']}", headers=headers).json()["status"] == (
        "expired"
    )
    assert remaining(client, watcher.headers, watcher.ticket, "double-fun", day) == 40
    assert my_orders(client, headers)[0]["status"] == "expired"
    assert quote(client, headers, ticket.number.value, "double-fun", day).status_code == 201


# -- idempotency -----------------------------------------------------------------------------


def test_a_quote_repeated_with_the_same_key_and_body_is_replayed_not_redone(
    client: TestClient[Any], world: World, ana: Any, headers: dict[str, str], watcher: Watcher
) -> None:
    ticket = world.ticket(ana)
    day = world.day(5)
    key = str(uuid.uuid4())

    first = quote(client, headers, ticket.number.value, "non-stop", day, key=key)
    second = quote(client, headers, ticket.number.value, "non-stop", day, key=key)

    assert first.status_code == second.status_code == 201
    assert "idempotent-replayed" not in first.headers
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert [o["id"] for o in my_orders(client, headers)] == [first.json()["id"]]
    assert remaining(client, watcher.headers, watcher.ticket, "non-stop", day) == 119


def test_the_same_key_names_the_same_quote_whatever_the_tickets_spelling(
    client: TestClient[Any], world: World, ana: Any, headers: dict[str, str]
) -> None:
    ticket = world.ticket(ana)
    key = str(uuid.uuid4())

    first = quote(client, headers, ticket.number.value, "standard", world.day(5), key=key)
    second = quote(client, headers, ticket.number.value.lower(), "standard", world.day(5), key=key)

    assert second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert len(my_orders(client, headers)) == 1


@pytest.mark.parametrize(
    "change",
    [{"tier": "double-fun"}, {"date": "2026-03-16"}, {"ticket": "TKT-00000002"}],
    ids=["other-tier", "other-date", "other-ticket"],
)
def test_reusing_a_quote_key_with_another_body_is_a_422_and_does_nothing(
    client: TestClient[Any],
    world: World,
    ana: Any,
    headers: dict[str, str],
    watcher: Watcher,
    change: dict[str, str],
) -> None:
    world.ticket(ana)  # TKT-00000002 (the watcher's is TKT-00000001)
    world.ticket(ana)
    key = str(uuid.uuid4())
    body = quote_body("TKT-00000002", "non-stop", world.day(5))
    first = client.post("/api/upgrades", json=body, headers={**headers, "Idempotency-Key": key})
    assert first.status_code == 201, first.text
    ticket = "TKT-00000003" if change.get("ticket") else "TKT-00000002"

    second = client.post(
        "/api/upgrades",
        json={**body, **change, "ticket": ticket},
        headers={**headers, "Idempotency-Key": key},
    )

    assert_problem(second, 422, "idempotency_key_reused")
    assert [o["id"] for o in my_orders(client, headers)] == [first.json()["id"]]
    for tier, left in (("non-stop", 119), ("double-fun", 40)):
        assert remaining(client, watcher.headers, watcher.ticket, tier, world.day(5)) == left


def test_a_refused_quote_is_replayed_with_its_refusal(
    client: TestClient[Any], world: World, ana: Any, headers: dict[str, str]
) -> None:
    ticket = world.ticket(ana)
    key = str(uuid.uuid4())

    first = quote(client, headers, ticket.number.value, "standard", world.day(1), key=key)
    second = quote(client, headers, ticket.number.value, "standard", world.day(1), key=key)

    assert_problem(first, 422, "date_out_of_window")
    assert second.status_code == 422
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json()["code"] == "date_out_of_window"
    assert my_orders(client, headers) == []


def test_idempotency_keys_belong_to_one_customer(
    client: TestClient[Any], world: World, ana: Any, headers: dict[str, str]
) -> None:
    ben = world.customer("ben@example.com")
    anas, bens = world.ticket(ana), world.ticket(ben)
    ben_headers = world.auth("ben@example.com")
    key = "shared-key-1"

    mine = quote(client, headers, anas.number.value, "standard", world.day(5), key=key)
    theirs = quote(client, ben_headers, bens.number.value, "standard", world.day(5), key=key)

    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["ticket"] == bens.number.value


@pytest.mark.parametrize("key", ["x" * 256, "clé-non-ascii"])
def test_an_unusable_idempotency_key_is_a_400_and_creates_nothing(
    client: TestClient[Any], world: World, ana: Any, headers: dict[str, str], key: str
) -> None:
    ticket = world.ticket(ana)

    response = client.post(
        "/api/upgrades",
        json=quote_body(ticket.number.value, "standard", world.day(5)),
        headers={**headers, "Idempotency-Key": key.encode()},  # type: ignore[dict-item]
    )

    assert_problem(response, 400, "invalid_idempotency_key")
    assert my_orders(client, headers) == []
