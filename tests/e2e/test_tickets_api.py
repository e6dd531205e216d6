"""My tickets, their eligibility and their upgrade options, over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from adapters.clock import FixedClock
from domain.tickets import Ticket, TicketStatus
from domain.tiers import Tier
from tests.builders import World
from tests.e2e.api import Api, assert_problem, quote, without_request_id

UPGRADE_TIERS = ["standard", "non-stop", "double-fun"]


def options(
    client: TestClient[Any],
    headers: dict[str, str],
    ref: str,
    start: date | str | None = None,
    days: int | str | None = None,
) -> Any:
    params: dict[str, str] = {}
    if start is not None:
        params["start"] = str(start)
    if days is not None:
        params["days"] = str(days)
    return client.get(f"/api/tickets/{ref}/upgrade-options", params=params, headers=headers)


def one_day(client: TestClient[Any], headers: dict[str, str], ref: str, day: date) -> Any:
    response = options(client, headers, ref, day, 1)
    assert response.status_code == 200, response.text
    [calendar_day] = response.json()["calendar"]
    return calendar_day


# -- listing and reading ---------------------------------------------------------------------


def test_my_tickets_are_listed_soonest_visit_first_with_their_eligibility(
    client: TestClient[Any], world: World
) -> None:
    ana = world.customer("ana@example.com")
    later = world.ticket(ana, Tier.GENERAL, visit_in=40)
    sooner = world.ticket(ana, Tier.STANDARD, visit_in=5)
    top = world.ticket(ana, Tier.DOUBLE_FUN, visit_in=20)
    ben = world.customer("ben@example.com")
    world.ticket(ben, visit_in=1)

    response = client.get("/api/tickets", headers=world.auth("ana@example.com"))

    assert response.status_code == 200
    tickets = response.json()
    assert [t["number"] for t in tickets] == [
        sooner.number.value,
        top.number.value,
        later.number.value,
    ]
    first = tickets[0]
    assert first["id"] == str(sooner.id)
    assert first["tier"] == "standard"
    assert first["visit_date"] == world.day(5).isoformat()
    assert first["status"] == "active"
    assert first["price_paid"] == str(sooner.price_paid)
    assert first["currency"] == "USD"
    assert first["eligibility"]["eligible"] is True
    assert first["eligibility"]["code"] is None
    assert tickets[1]["eligibility"]["code"] == "already_top_tier"


def test_a_customer_without_tickets_gets_an_empty_list(
    client: TestClient[Any], world: World
) -> None:
    world.customer("ana@example.com")

    response = client.get("/api/tickets", headers=world.auth("ana@example.com"))

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    "spell",
    [
        lambda t: t.number.value,
        lambda t: t.number.value.lower(),
        lambda t: f"tKt-{t.number.value[4:]}",
        lambda t: str(t.id),
        lambda t: str(t.id).upper(),
    ],
    ids=["number", "number-lower-case", "number-mixed-case", "uuid", "uuid-upper-case"],
)
def test_a_ticket_is_found_by_its_number_or_id_in_any_case(
    client: TestClient[Any], world: World, spell: Callable[[Ticket], str]
) -> None:
    ana = world.customer("ana@example.com")
    ticket = world.ticket(ana)

    response = client.get(f"/api/tickets/{spell(ticket)}", headers=world.auth("ana@example.com"))

    assert response.status_code == 200, response.text
    assert response.json()["id"] == str(ticket.id)
    assert response.json()["number"] == ticket.number.value


@pytest.mark.parametrize("suffix", ["", "/eligibility", "/upgrade-options"])
def test_an_unknown_ticket_is_a_404_ticket_not_found(
    client: TestClient[Any], world: World, suffix: str
) -> None:
    world.customer("ana@example.com")
    headers = world.auth("ana@example.com")

    for ref in ("TKT-99999999", str(uuid.uuid4())):
        body = assert_problem(
            client.get(f"/api/tickets/{ref}{suffix}", headers=headers), 404, "ticket_not_found"
        )
        assert "TKT-" in body["guidance"]


@pytest.mark.parametrize("suffix", ["", "/eligibility", "/upgrade-options"])
@pytest.mark.parametrize("by", ["number", "id"])
def test_someone_elses_ticket_answers_exactly_like_an_unknown_one(
    client: TestClient[Any], world: World, suffix: str, by: str
) -> None:
    world.customer("ana@example.com")
    ben = world.customer("ben@example.com")
    bens = world.ticket(ben, visit_in=10)
    headers = world.auth("ana@example.com")
    if by == "number":
        foreign, unknown = bens.number.value, "TKT-99999999"
    else:
        foreign, unknown = str(bens.id), str(uuid.uuid4())

    theirs = client.get(f"/api/tickets/{foreign}{suffix}", headers=headers)
    missing = client.get(f"/api/tickets/{unknown}{suffix}", headers=headers)

    assert_problem(theirs, 404, "ticket_not_found")
    assert_problem(missing, 404, "ticket_not_found")
    assert without_request_id(theirs.json()) == without_request_id(missing.json())
    for leak in (bens.number.value, str(bens.id), "ben@example.com", "general"):
        assert leak.lower() not in theirs.text.lower()


@pytest.mark.parametrize("ref", ["TKT-123", "ticket-1", "12345678", "TKT-1234567X"])
def test_a_malformed_ticket_reference_is_a_400(
    client: TestClient[Any], world: World, ref: str
) -> None:
    world.customer("ana@example.com")

    response = client.get(f"/api/tickets/{ref}", headers=world.auth("ana@example.com"))

    assert_problem(response, 400, "invalid_ticket_reference")


def test_an_overlong_ticket_reference_is_a_400_that_does_not_echo_it(
    client: TestClient[Any], world: World
) -> None:
    world.customer("ana@example.com")
    ref = "TKT-" + "1" * 70

    response = client.get(f"/api/tickets/{ref}", headers=world.auth("ana@example.com"))

    assert response.status_code == 400
    assert_problem(response, 400, response.json()["code"])
    assert ref not in response.text


# -- eligibility -----------------------------------------------------------------------------


def test_an_eligible_ticket_says_so_with_no_code(client: TestClient[Any], world: World) -> None:
    ana = world.customer("ana@example.com")
    ticket = world.ticket(ana, Tier.NON_STOP, visit_in=0)  # a visit today still counts

    response = client.get(
        f"/api/tickets/{ticket.number}/eligibility", headers=world.auth("ana@example.com")
    )

    assert response.status_code == 200
    body = response.json()
    assert body["eligible"] is True
    assert body["code"] is None
    assert body["message"]
    assert set(body) == {"eligible", "code", "message", "guidance"}


def make_ineligible(world: World, owner: Any, code: str, status: TicketStatus) -> Ticket:
    if code == "ticket_not_active":
        return world.ticket(owner, status=status)
    if code == "visit_date_passed":
        return world.ticket(owner, visit_in=-1)
    if code == "already_top_tier":
        return world.ticket(owner, Tier.DOUBLE_FUN)
    ticket = world.ticket(owner)
    world.quote(owner, ticket, Tier.STANDARD, world.day(12))  # upgrade_in_progress
    return ticket


INELIGIBLE = [
    ("ticket_not_active", TicketStatus.USED),
    ("ticket_not_active", TicketStatus.CANCELLED),
    ("ticket_not_active", TicketStatus.EXPIRED),
    ("ticket_not_active", TicketStatus.REFUNDED),
    ("visit_date_passed", TicketStatus.ACTIVE),
    ("already_top_tier", TicketStatus.ACTIVE),
    ("upgrade_in_progress", TicketStatus.ACTIVE),
]
INELIGIBLE_IDS = [f"{code}-{status.value}" for code, status in INELIGIBLE]


@pytest.mark.parametrize(("code", "status"), INELIGIBLE, ids=INELIGIBLE_IDS)
def test_an_ineligible_ticket_reports_its_code_message_and_guidance(
    client: TestClient[Any], world: World, code: str, status: TicketStatus
) -> None:
    ana = world.customer("ana@example.com")
    ticket = make_ineligible(world, ana, code, status)
    headers = world.auth("ana@example.com")

    response = client.get(f"/api/tickets/{ticket.number}/eligibility", headers=headers)

    assert response.status_code == 200
    body = response.json()
    assert body["eligible"] is False
    assert body["code"] == code
    assert ticket.number.value in body["message"]
    if code == "ticket_not_active":
        assert status.value in body["message"]
        assert body["guidance"]
    listed = client.get(f"/api/tickets/{ticket.number}", headers=headers).json()
    assert listed["eligibility"] == body


@pytest.mark.parametrize(("code", "status"), INELIGIBLE, ids=INELIGIBLE_IDS)
def test_the_upgrade_options_of_an_ineligible_ticket_are_a_422_with_its_code(
    client: TestClient[Any], world: World, code: str, status: TicketStatus
) -> None:
    ana = world.customer("ana@example.com")
    ticket = make_ineligible(world, ana, code, status)

    response = options(client, world.auth("ana@example.com"), ticket.number.value)

    assert_problem(response, 422, code)


# -- upgrade options -------------------------------------------------------------------------


def test_upgrade_options_list_exactly_the_three_upgrade_tiers_and_a_priced_calendar(
    client: TestClient[Any], world: World
) -> None:
    ana = world.customer("ana@example.com")
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=10)  # paid 59.00

    response = options(client, world.auth("ana@example.com"), ticket.number.value)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ticket"]["number"] == ticket.number.value
    assert body["ticket"]["eligibility"]["eligible"] is True
    assert body["currency"] == "USD"
    assert [(t["key"], t["rank"]) for t in body["tiers"]] == [
        ("standard", 1),
        ("non-stop", 2),
        ("double-fun", 3),
    ]
    assert [t["name"] for t in body["tiers"]] == ["Standard", "Non-stop", "Double Fun"]
    assert all(t["features"] for t in body["tiers"])
    # By default: 30 dates from the first bookable one (today + 2 days).
    assert body["first_bookable"] == world.day(2).isoformat()
    assert body["last_bookable"] == world.day(120).isoformat()
    calendar = body["calendar"]
    assert [d["date"] for d in calendar] == [world.day(2 + n).isoformat() for n in range(30)]
    for calendar_day in calendar:
        assert list(calendar_day["tiers"]) == UPGRADE_TIERS
        for option in calendar_day["tiers"].values():
            assert option["available"] is True
            assert option["reason"] is None
    thursday = calendar[0]  # 12 March 2026, a regular day
    assert thursday["day_type"] == "regular"
    assert thursday["closed"] is False
    assert thursday["tiers"]["standard"] == {
        "price": "79.00",
        "amount_due": "20.00",
        "remaining": 300,
        "available": True,
        "reason": None,
    }
    assert thursday["tiers"]["non-stop"]["remaining"] == 120
    assert thursday["tiers"]["double-fun"]["remaining"] == 40
    assert thursday["tiers"]["double-fun"]["amount_due"] == "90.00"


@pytest.mark.parametrize(
    ("days_ahead", "day_type", "standard", "amount_due"),
    [
        (2, "regular", "79.00", "20.00"),  # Thursday 12 March
        (4, "weekend", "98.75", "39.75"),  # Saturday 14 March: credit is the 59.00 paid
        (7, "off-peak", "67.15", "17.00"),  # Tuesday 17 March: credit is general's 50.15
        (113, "peak", "118.50", "59.50"),  # Wednesday 1 July
    ],
)
def test_each_date_is_priced_by_its_day_type_and_credits_what_was_paid(
    client: TestClient[Any],
    world: World,
    days_ahead: int,
    day_type: str,
    standard: str,
    amount_due: str,
) -> None:
    ana = world.customer("ana@example.com")
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=10, price_paid="59.00")

    calendar_day = one_day(
        client, world.auth("ana@example.com"), ticket.number.value, world.day(days_ahead)
    )

    assert calendar_day["date"] == world.day(days_ahead).isoformat()
    assert calendar_day["day_type"] == day_type
    assert calendar_day["tiers"]["standard"]["price"] == standard
    assert calendar_day["tiers"]["standard"]["amount_due"] == amount_due


def test_tiers_not_above_the_ticket_are_listed_but_unavailable(
    client: TestClient[Any], world: World
) -> None:
    ana = world.customer("ana@example.com")
    ticket = world.ticket(ana, Tier.NON_STOP)

    calendar_day = one_day(client, world.auth("ana@example.com"), ticket.number.value, world.day(5))

    tiers = calendar_day["tiers"]
    assert list(tiers) == UPGRADE_TIERS
    for key in ("standard", "non-stop"):
        assert tiers[key]["available"] is False
        assert tiers[key]["reason"] == "tier_not_higher"
        assert tiers[key]["amount_due"] is None
    assert tiers["double-fun"]["available"] is True


def test_dates_outside_the_booking_window_are_unavailable(
    client: TestClient[Any], world: World
) -> None:
    ana = world.customer("ana@example.com")
    ticket = world.ticket(ana)
    headers = world.auth("ana@example.com")

    early = options(client, headers, ticket.number.value, world.day(0), 3).json()["calendar"]
    late = options(client, headers, ticket.number.value, world.day(120), 2).json()["calendar"]

    reasons = [{o["reason"] for o in d["tiers"].values()} for d in early + late]
    assert reasons == [
        {"date_out_of_window"},  # today
        {"date_out_of_window"},  # tomorrow: less than 48 hours' notice
        {None},  # the first bookable date
        {None},  # the last bookable date
        {"date_out_of_window"},  # beyond the horizon
    ]


def test_a_closed_date_is_marked_closed_and_unavailable(make_api: Callable[..., Api]) -> None:
    api = make_api(closures=[date(2026, 3, 20)])
    ana = api.world.customer("ana@example.com")
    ticket = api.world.ticket(ana)

    calendar = options(
        api.client, api.world.auth("ana@example.com"), ticket.number.value, date(2026, 3, 19), 2
    ).json()["calendar"]

    open_day, closed_day = calendar
    assert (open_day["closed"], closed_day["closed"]) == (False, True)
    assert {o["reason"] for o in closed_day["tiers"].values()} == {"date_closed"}
    assert not any(o["available"] for o in closed_day["tiers"].values())
    assert all(o["available"] for o in open_day["tiers"].values())


def test_a_sold_out_tier_shows_nothing_remaining_and_is_unavailable(
    make_api: Callable[..., Api],
) -> None:
    day = date(2026, 3, 20)
    api = make_api(capacity_overrides={f"{day}:double-fun": 1, f"{day}:non-stop": 0})
    ana = api.world.customer("ana@example.com")
    ben = api.world.customer("ben@example.com")
    api.world.quote(ben, api.world.ticket(ben), Tier.DOUBLE_FUN, day)  # Ben holds the last one
    ticket = api.world.ticket(ana)

    calendar_day = one_day(api.client, api.world.auth("ana@example.com"), ticket.number.value, day)

    tiers = calendar_day["tiers"]
    assert (tiers["double-fun"]["remaining"], tiers["double-fun"]["reason"]) == (0, "sold_out")
    assert (tiers["non-stop"]["remaining"], tiers["non-stop"]["reason"]) == (0, "sold_out")
    assert (tiers["standard"]["remaining"], tiers["standard"]["available"]) == (300, True)


def test_a_quote_takes_one_from_what_remains_until_it_is_cancelled(
    client: TestClient[Any], world: World
) -> None:
    ana = world.customer("ana@example.com")
    ben = world.customer("ben@example.com")
    anas = world.ticket(ana)
    bens = world.ticket(ben)
    day = world.day(12)
    ben_headers = world.auth("ben@example.com")

    order = quote(client, world.auth("ana@example.com"), anas.number.value, "non-stop", day)
    assert order.status_code == 201

    assert (
        one_day(client, ben_headers, bens.number.value, day)["tiers"]["non-stop"]["remaining"]
        == 119
    )
    client.post(f"/api/upgrades/{order.json()['id']}/cancel", headers=world.auth("ana@example.com"))
    assert (
        one_day(client, ben_headers, bens.number.value, day)["tiers"]["non-stop"]["remaining"]
        == 120
    )


@pytest.mark.parametrize(
    ("start", "days"),
    [
        (None, 7),
        ("2026-03-20", None),
        ("2026-03-20", 1),
        ("2026-03-20", 180),
    ],
)
def test_the_calendar_starts_where_asked_and_has_as_many_dates_as_asked(
    client: TestClient[Any], world: World, start: str | None, days: int | None
) -> None:
    ana = world.customer("ana@example.com")
    ticket = world.ticket(ana)

    response = options(client, world.auth("ana@example.com"), ticket.number.value, start, days)

    assert response.status_code == 200, response.text
    calendar = response.json()["calendar"]
    first = date.fromisoformat(start) if start else world.day(2)
    expected = days if days is not None else 30
    assert [d["date"] for d in calendar] == [
        (first + timedelta(days=n)).isoformat() for n in range(expected)
    ]


@pytest.mark.parametrize(
    ("start", "days", "code"),
    [
        ("2026-13-01", None, "invalid_date"),
        ("2026-02-30", None, "invalid_date"),
        ("20-03-2026", None, "invalid_date"),
        ("03/20/2026", None, "invalid_date"),
        ("tomorrow", None, "invalid_date"),
        ("", None, "invalid_date"),
        (None, "0", "invalid_request"),
        (None, "-3", "invalid_request"),
        (None, "181", "invalid_request"),
        (None, "ten", "invalid_request"),
        (None, "2.5", "invalid_request"),
        ("2028-01-01", None, "invalid_start"),
        ("2024-01-01", None, "invalid_start"),
    ],
)
def test_a_malformed_start_or_days_is_a_400(
    client: TestClient[Any], world: World, start: str | None, days: str | None, code: str
) -> None:
    ana = world.customer("ana@example.com")
    ticket = world.ticket(ana)

    response = options(client, world.auth("ana@example.com"), ticket.number.value, start, days)

    assert_problem(response, 400, code)


def test_today_is_the_parks_today_not_utcs(
    client: TestClient[Any], world: World, clock: FixedClock
) -> None:
    # 05:30 UTC on 11 March is still 22:30 on 10 March in Los Angeles.
    clock.set(datetime(2026, 3, 11, 5, 30, tzinfo=UTC))
    ana = world.customer("ana@example.com")
    ticket = world.ticket(ana)
    headers = world.auth("ana@example.com")

    body = options(client, headers, ticket.number.value, days=1).json()

    assert body["first_bookable"] == "2026-03-12"
    assert body["calendar"][0]["date"] == "2026-03-12"
    quoted = quote(client, headers, ticket.number.value, "standard", date(2026, 3, 12))
    assert quoted.status_code == 201, quoted.text


def test_someone_elses_ineligible_ticket_is_not_found_rather_than_ineligible(
    client: TestClient[Any], world: World
) -> None:
    world.customer("ana@example.com")
    headers = world.auth("ana@example.com")
    ben = world.customer("ben@example.com")
    busy = world.ticket(ben)
    world.quote(ben, busy, Tier.STANDARD, world.day(5))
    bens = [
        world.ticket(ben, status=TicketStatus.USED),
        world.ticket(ben, visit_in=-3),
        world.ticket(ben, Tier.DOUBLE_FUN),
        busy,
    ]
    missing = client.get("/api/tickets/TKT-99999999/upgrade-options", headers=headers).json()

    for ticket in bens:
        for suffix in ("", "/eligibility", "/upgrade-options"):
            response = client.get(f"/api/tickets/{ticket.number}{suffix}", headers=headers)
            assert_problem(response, 404, "ticket_not_found")
            assert without_request_id(response.json()) == without_request_id(missing)
        refused = quote(client, headers, ticket.number.value, "double-fun", world.day(6))
        assert without_request_id(assert_problem(refused, 404, "ticket_not_found")) == (
            without_request_id(missing)
        )
