"""Customer simulations through `POST /api/chat`: several turns each, as a customer types them.

The local build's chat end to end: the site (Litestar, a customer's bearer token), the Ticket
Agent's turn (rule-based reasoner, in-memory conversation memory) and its tools reaching a real
Data Agent over MCP: uvicorn on a port of its own, serving the same container, which verifies
the customer's token exactly as the site does. What a conversation answers is checked against
what the API itself says (prices, calendars, eligibility) and against the store.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import TestClient

from adapters.mcp.data_agent_client import McpDataAgentTools
from application.use_cases.take_chat_turn import customer_namespace
from domain.conversations import REDACTED_CARD
from domain.ids import CustomerId, OrderId
from domain.orders import OrderStatus
from domain.tickets import Ticket, TicketStatus
from domain.tiers import Tier
from infra.container import Container
from infra.settings import Settings
from tests.builders import World
from tests.conftest import make_settings
from tests.e2e.api import ChargeSpy, assert_problem, card_body
from tests.support.data_agent import ServedDataAgent
from tests.support.live_http import free_port

SESSION_ID = re.compile(r"sess-[0-9a-f]{32}")
APRIL_4 = date(2026, 4, 4)  # a Saturday, well inside the bookable window
APRIL_15 = date(2026, 4, 15)


def long_day(day: date) -> str:
    """A date as the Ticket Agent writes it: "Saturday 4 April 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


# -- the Data Agent, served on a port ----------------------------------------------------------


@pytest.fixture
def data_agent_port() -> int:
    return free_port()


@pytest.fixture
def app_settings(tmp_path: Path, data_agent_port: int) -> Settings:
    """The memory profile, whose chat reaches the Data Agent at `data_agent_port`."""
    return make_settings(tmp_path, data_agent_url=f"http://127.0.0.1:{data_agent_port}/mcp")


@pytest.fixture
def data_agent(container: Container, data_agent_port: int) -> Iterator[ServedDataAgent]:
    tools = container.data_agent_tools()
    assert isinstance(tools, McpDataAgentTools)  # the chat's tools really go over MCP
    served = ServedDataAgent(container, data_agent_port).start()
    try:
        yield served
    finally:
        tools.close()  # the Ticket Agent's open MCP session
        served.stop()


# -- the people and the conversation -----------------------------------------------------------


@pytest.fixture
def ana(world: World) -> CustomerId:
    return world.customer("ana@example.com", "Ana", "Lima")


@pytest.fixture
def bob(world: World) -> CustomerId:
    return world.customer("bob@example.com", "Bob", "Stone")


@pytest.fixture
def ticket(world: World, ana: CustomerId) -> Ticket:
    """Ana's General ticket for Monday 30 March 2026."""
    return world.ticket(ana, visit_in=20)


@dataclass
class Chat:
    """One conversation of one customer through the site: the first message starts it, the
    others carry its session id."""

    client: TestClient[Any]
    headers: dict[str, str]
    session_id: str | None = None
    replies: list[dict[str, Any]] = field(default_factory=list)

    def say(self, message: str) -> dict[str, Any]:
        body = {"message": message}
        if self.session_id is not None:
            body["session_id"] = self.session_id
        response = self.client.post("/api/chat", json=body, headers=self.headers)
        assert response.status_code == 200, response.text
        reply: dict[str, Any] = response.json()
        assert SESSION_ID.fullmatch(reply["session_id"])
        if self.session_id is not None:
            assert reply["session_id"] == self.session_id
        self.session_id = reply["session_id"]
        assert set(reply) == {
            "session_id",
            "response_text",
            "actions",
            "next_steps",
            "confidence_score",
            "escalated",
        }
        assert 0.0 <= reply["confidence_score"] <= 1.0
        self.replies.append(reply)
        return reply

    def history(self) -> list[tuple[str, str]]:
        """The stored turns, as GET /api/chat/{id} gives them: (role, text) in order."""
        response = self.client.get(f"/api/chat/{self.session_id}", headers=self.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["session_id"] == self.session_id
        return [(m["role"], m["text"]) for event in body["events"] for m in event["messages"]]


def chat_as(client: TestClient[Any], world: World, email: str) -> Chat:
    return Chat(client, world.auth(email))


def actions_of(reply: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [action["data"] for action in reply["actions"] if action["type"] == kind]


def options(
    client: TestClient[Any], headers: dict[str, str], ref: str, start: date, days: int
) -> dict[str, Any]:
    """The upgrade calendar as the site's API gives it."""
    response = client.get(
        f"/api/tickets/{ref}/upgrade-options",
        params={"start": start.isoformat(), "days": days},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def amount_due(
    client: TestClient[Any], headers: dict[str, str], ref: str, tier: str, day: date
) -> str:
    [found] = options(client, headers, ref, day, 1)["calendar"]
    assert found["tiers"][tier]["available"], found
    value: str = found["tiers"][tier]["amount_due"]
    return value


def stored_order(world: World, customer: CustomerId, order_id: str) -> Any:
    return world.container.get_order()(customer, OrderId(UUID(order_id)))


# -- the happy path ----------------------------------------------------------------------------


def test_from_hello_to_the_payment_form_and_the_site_paying_the_order_it_shows(
    client: TestClient[Any],
    world: World,
    ana: CustomerId,
    ticket: Ticket,
    data_agent: ServedDataAgent,
) -> None:
    chat = chat_as(client, world, "ana@example.com")
    ref = ticket.number.value
    dues = {
        tier: amount_due(client, chat.headers, ref, tier, ticket.visit_date)
        for tier in ("standard", "non-stop", "double-fun")
    }
    due = amount_due(client, chat.headers, ref, "non-stop", APRIL_4)

    hello = chat.say("Hello!")
    offered = chat.say(f"I'd like to upgrade {ref}")
    proposed = chat.say("the no queues one")
    orders_before_the_date = world.container.list_my_orders()(ana)
    held = chat.say("on April 4 instead")

    assert hello["response_text"].startswith("Hello! I can show your tickets")
    assert (hello["actions"], hello["next_steps"], hello["confidence_score"]) == ([], [], 0.9)
    # The three prices on the ticket's own visit date, as the API computes them.
    assert offered["response_text"] == (
        f"Upgrading {ref} on your visit date, {long_day(ticket.visit_date)}: "
        f"Standard: ${dues['standard']}; Non-stop: ${dues['non-stop']}; "
        f"Double Fun: ${dues['double-fun']}. Which tier would you like?"
    )
    assert offered["actions"] == []
    assert offered["next_steps"] == [
        "Choose a tier and a date from the calendar, and I will hold it for you."
    ]
    # "the no queues one" is Non-stop, offered on the visit date; nothing is held until the
    # customer has named the tier and the date.
    assert f"costs ${dues['non-stop']}" in proposed["response_text"]
    assert proposed["response_text"].endswith(
        f"Shall I hold Non-stop on {long_day(ticket.visit_date)} for {ref}?"
    )
    assert proposed["actions"] == []
    assert orders_before_the_date == []
    # The date completes the choice: the payment form's order really exists, pending, for the
    # amount the calendar gives that day.
    [form] = actions_of(held, "show_payment_form")
    assert held["actions"] == [{"type": "show_payment_form", "data": form}]
    assert form == {
        "order_id": form["order_id"],
        "amount_due": due,
        "currency": "USD",
        "tier": "non-stop",
        "date": APRIL_4.isoformat(),
        "expires_at": "2026-03-10T16:15:00Z",  # fifteen minutes from now
    }
    assert held["response_text"].startswith(
        f"Done: I am holding Non-stop on {long_day(APRIL_4)} for {ref} until 09:15 (park time)."
        f" The amount due is ${due}."
    )
    order = stored_order(world, ana, form["order_id"])
    assert order.status is OrderStatus.PENDING
    assert (order.order.tier, order.order.day) == (Tier.NON_STOP, APRIL_4)
    assert order.order.amount_due.amount == Decimal(due)
    assert order.order.ticket_id == ticket.id
    assert len(world.container.list_my_orders()(ana)) == 1
    assert f"Your order number is {form['order_id']}." in held["response_text"]
    assert held["next_steps"] == [
        "Pay in the secure payment form within 15 minutes; the price is held until then."
    ]
    assert held["escalated"] is False
    assert {reply["session_id"] for reply in chat.replies} == {chat.session_id}
    assert [role for role, _ in chat.history()] == ["user", "assistant"] * 4
    assert chat.history()[-1] == ("assistant", held["response_text"])

    # The site shows its form and pays the order the chat held.
    paid = client.post(
        f"/api/upgrades/{form['order_id']}/payment", json=card_body(), headers=chat.headers
    )

    assert paid.status_code == 200, paid.text
    assert (paid.json()["status"], paid.json()["amount_due"]) == ("confirmed", due)
    assert stored_order(world, ana, form["order_id"]).status is OrderStatus.CONFIRMED
    upgraded = world.stored_ticket(ticket.id)
    assert (upgraded.tier, upgraded.visit_date) == (Tier.NON_STOP, APRIL_4)

    # A new conversation: welcomed back (the tier they liked is remembered), and the chat
    # reads the order as it now stands.
    later = chat_as(client, world, "ana@example.com")
    status = later.say(f"What's the status of my order {form['order_id']}?")

    assert later.session_id != chat.session_id
    assert status["response_text"] == (
        f"Welcome back! Your upgrade to Non-stop on {long_day(APRIL_4)} for {ref} is "
        f"confirmed, confirmation code {paid.json()['confirmation_code']}."
    )
    assert status["actions"] == []  # nothing left to pay
    memory = world.container.conversation_memory()
    facts = {record.text for record in memory.search_long_term(customer_namespace(ana), "", 20)}
    assert "Likes the non-stop tier." in facts
    assert f"Upgraded ticket {ref} to non-stop for {APRIL_4}." in facts


def test_a_ticket_given_in_one_turn_and_the_tier_two_turns_later_is_not_asked_for_again(
    client: TestClient[Any], world: World, ana: CustomerId, data_agent: ServedDataAgent
) -> None:
    world.ticket(ana, visit_in=10)  # with two tickets, "which one?" would be a fair question
    mine = world.ticket(ana, visit_in=25)
    ref = mine.number.value
    chat = chat_as(client, world, "ana@example.com")
    premium = amount_due(client, chat.headers, ref, "double-fun", APRIL_15)

    chat.say(f"Hi, I have ticket {ref.lower()}")
    priced = chat.say("what would it cost on 2026-04-15?")
    chosen = chat.say("and for premium?")
    held = chat.say("ok book it")

    for reply in chat.replies:
        assert "Which ticket" not in reply["response_text"]
    assert priced["response_text"].startswith(f"Upgrading {ref} on {long_day(APRIL_15)}: ")
    assert chosen["response_text"].startswith(
        f"Upgrading {ref} to Double Fun on {long_day(APRIL_15)} costs ${premium} "
    )
    [form] = actions_of(held, "show_payment_form")
    assert (form["tier"], form["date"], form["amount_due"]) == (
        "double-fun",
        APRIL_15.isoformat(),
        premium,
    )
    order = stored_order(world, ana, form["order_id"])
    assert (order.order.ticket_id, order.status) == (mine.id, OrderStatus.PENDING)
    assert len(world.container.list_my_orders()(ana)) == 1


def test_a_price_sensitive_customer_is_given_the_cheapest_date_of_the_whole_calendar(
    client: TestClient[Any],
    world: World,
    ana: CustomerId,
    ticket: Ticket,
    data_agent: ServedDataAgent,
) -> None:
    chat = chat_as(client, world, "ana@example.com")
    ref = ticket.number.value
    calendar = options(client, chat.headers, ref, world.today, 180)["calendar"]
    offers = [
        (Decimal(day["tiers"]["non-stop"]["amount_due"]), date.fromisoformat(day["date"]))
        for day in calendar
        if day["tiers"]["non-stop"]["available"]
    ]
    lowest, cheapest = min(offers)
    assert len({amount for amount, _ in offers}) > 1  # there is a real choice to make

    found = chat.say(f"What's the cheapest date to upgrade {ref} to non-stop?")
    held = chat.say("yes please")

    assert found["response_text"].startswith(
        f"For {ref}: The cheapest day for Non-stop is {long_day(cheapest)}"
    )
    assert f": ${lowest} to upgrade." in found["response_text"]
    assert found["response_text"].endswith(
        f"Shall I hold Non-stop on {long_day(cheapest)} for {ref}?"
    )
    assert found["actions"] == []
    [form] = actions_of(held, "show_payment_form")
    assert (form["date"], Decimal(form["amount_due"])) == (cheapest.isoformat(), lowest)
    order = stored_order(world, ana, form["order_id"])
    assert (order.order.day, order.order.amount_due.amount) == (cheapest, lowest)


def test_a_premium_seeker_hears_what_double_fun_includes_and_gets_it_held(
    client: TestClient[Any],
    world: World,
    ana: CustomerId,
    ticket: Ticket,
    data_agent: ServedDataAgent,
) -> None:
    chat = chat_as(client, world, "ana@example.com")
    ref = ticket.number.value
    calendar = options(client, chat.headers, ref, APRIL_4, 1)
    [double_fun] = [tier for tier in calendar["tiers"] if tier["key"] == "double-fun"]
    premium = calendar["calendar"][0]["tiers"]["double-fun"]["amount_due"]

    described = chat.say(f"What does VIP include for {ref}?")
    held = chat.say("I want the VIP upgrade on 2026-04-04")

    features = [feature[:1].lower() + feature[1:] for feature in double_fun["features"]]
    assert described["response_text"].startswith("Double Fun includes ")
    for feature in features:
        assert feature in described["response_text"]
    assert "Non-stop includes" not in described["response_text"]
    assert described["actions"] == []
    [form] = actions_of(held, "show_payment_form")
    assert (form["tier"], form["date"], form["amount_due"]) == (
        "double-fun",
        APRIL_4.isoformat(),
        premium,
    )
    assert held["response_text"].startswith(
        f"Done: I am holding Double Fun on {long_day(APRIL_4)} for {ref}"
    )
    assert stored_order(world, ana, form["order_id"]).order.tier is Tier.DOUBLE_FUN


# -- tickets that cannot be upgraded -----------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "status", "visit_in", "code"),
    [
        (Tier.DOUBLE_FUN, TicketStatus.ACTIVE, 20, "already_top_tier"),
        (Tier.GENERAL, TicketStatus.USED, 20, "ticket_not_active"),
        (Tier.GENERAL, TicketStatus.CANCELLED, 20, "ticket_not_active"),
        (Tier.STANDARD, TicketStatus.ACTIVE, -2, "visit_date_passed"),
    ],
)
def test_an_ineligible_ticket_gets_the_reason_in_plain_words_and_no_action(
    client: TestClient[Any],
    world: World,
    ana: CustomerId,
    data_agent: ServedDataAgent,
    tier: Tier,
    status: TicketStatus,
    visit_in: int,
    code: str,
) -> None:
    ineligible = world.ticket(ana, tier=tier, status=status, visit_in=visit_in)
    ref = ineligible.number.value
    chat = chat_as(client, world, "ana@example.com")
    verdict = client.get(f"/api/tickets/{ref}/eligibility", headers=chat.headers).json()
    assert (verdict["eligible"], verdict["code"]) == (False, code)

    asked = chat.say(f"Is {ref} eligible for an upgrade?")
    tried = chat.say(f"book non-stop for {ref} on 2026-04-04")

    assert asked["response_text"].startswith(verdict["message"])
    assert tried["response_text"].startswith(f"Sorry, {verdict['message'][:1].lower()}")
    for reply in (asked, tried):
        assert verdict["message"][1:] in reply["response_text"]
        assert (reply["actions"], reply["escalated"]) == ([], False)
    # The refused quote is a tool error: the answer is less sure than a plain one.
    assert tried["confidence_score"] < asked["confidence_score"]
    assert world.container.list_my_orders()(ana) == []


def test_an_unknown_ticket_is_not_found_and_nothing_is_made_up(
    client: TestClient[Any], world: World, ana: CustomerId, data_agent: ServedDataAgent
) -> None:
    chat = chat_as(client, world, "ana@example.com")

    reply = chat.say("book premium for TKT-99999999 on 2026-04-04")

    assert reply["response_text"] == (
        "Sorry, we could not find that ticket on your account. Check the number: it is TKT- "
        "followed by 8 digits, as printed on your ticket."
    )
    assert (reply["actions"], reply["next_steps"]) == ([], [])
    assert "$" not in reply["response_text"]
    assert world.container.list_my_orders()(ana) == []


def test_someone_elses_ticket_is_treated_as_unknown_and_nothing_about_it_leaks(
    client: TestClient[Any],
    world: World,
    ana: CustomerId,
    bob: CustomerId,
    data_agent: ServedDataAgent,
) -> None:
    bobs = world.ticket(bob, tier=Tier.STANDARD, visit_in=33)
    chat = chat_as(client, world, "ana@example.com")
    unknown = chat_as(client, world, "ana@example.com")

    asked = chat.say(f"Tell me about ticket {bobs.number.value}")
    priced = chat.say(f"how much is non-stop for {bobs.number.value} on 2026-04-04?")
    booked = chat.say(f"book double fun for {bobs.number.value} on 2026-04-04")
    control = unknown.say("book double fun for TKT-99999999 on 2026-04-04")

    assert booked["response_text"] == control["response_text"]
    for reply in (asked, priced, booked):
        assert "could not find that ticket" in reply["response_text"]
        assert reply["actions"] == []
    said = " ".join(text for _, text in chat.history())
    for secret in (
        bobs.visit_date.isoformat(),
        long_day(bobs.visit_date),
        "Standard ticket",
        "(Standard",
        "Bob",
        "Stone",
        str(bobs.id),
        "$",
    ):
        assert secret not in said
    assert world.container.list_my_orders()(bob) == []
    assert world.container.list_my_orders()(ana) == []
    assert world.stored_ticket(bobs.id) == bobs


# -- escalation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("I want a refund for my upgrade", "refund"),
        ("This is unacceptable, the rides were closed all day", "complaint"),
        ("Let me speak to a person please", "human"),
    ],
)
def test_refunds_complaints_and_people_go_to_the_team(
    client: TestClient[Any],
    world: World,
    ana: CustomerId,
    ticket: Ticket,
    data_agent: ServedDataAgent,
    message: str,
    reason: str,
) -> None:
    chat = chat_as(client, world, "ana@example.com")
    chat.say(f"How much is standard for {ticket.number.value} on 2026-04-04?")
    calls_before = data_agent.tool_calls

    escalated = chat.say(message)

    assert escalated["escalated"] is True
    assert escalated["actions"] == [{"type": "escalate", "data": {"reason": reason}}]
    assert escalated["next_steps"] == ["A member of our team will contact you by email."]
    assert "customer team" in escalated["response_text"]
    assert escalated["confidence_score"] == 1.0
    assert data_agent.tool_calls == calls_before  # a person decides: no tool is touched
    assert chat.history()[-2:] == [("user", message), ("assistant", escalated["response_text"])]
    assert world.container.list_my_orders()(ana) == []


# -- a card number typed in chat ---------------------------------------------------------------

CARD_FORMS = ("4242 4242 4242 4242", "4242424242424242", "4242-4242-4242-4242")


def test_a_card_number_typed_in_chat_is_removed_refused_and_never_stored_or_logged(
    client: TestClient[Any],
    world: World,
    ana: CustomerId,
    ticket: Ticket,
    data_agent: ServedDataAgent,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    charges = ChargeSpy.install(world.container)
    chat = chat_as(client, world, "ana@example.com")
    held = chat.say(f"book standard for {ticket.number.value} on 2026-04-04")
    [form] = actions_of(held, "show_payment_form")

    refused = chat.say("Here is my card: 4242 4242 4242 4242 12/30 cvc 123, please charge it")
    again = chat.say("4242-4242-4242-4242")

    for reply in (refused, again):
        assert "removed the card number" in reply["response_text"]
        assert reply["response_text"].count("card number") == 1
        assert "secure payment form" in reply["response_text"]
        assert reply["actions"] == []
        assert reply["confidence_score"] < 0.9  # off the expected path
    history = chat.history()
    assert history[2] == (
        "user",
        f"Here is my card: {REDACTED_CARD} 12/30 cvc 123, please charge it",
    )
    assert history[4] == ("user", REDACTED_CARD)
    memory = world.container.conversation_memory()
    stored = [
        message.text
        for event in memory.list_events(str(ana), chat.session_id or "")
        for message in event.messages
    ]
    stored += [r.text for r in memory.search_long_term(customer_namespace(ana), "", 50)]
    assert stored
    logged = [
        " ".join([record.getMessage(), *(repr(value) for value in vars(record).values())])
        for record in caplog.records
    ]
    # The capture sees the chat's own requests and its calls to the Data Agent.
    assert [r for r in caplog.records if getattr(r, "path", None) == "/api/chat"]
    assert any("quote_upgrade" in line for line in logged)
    for card in CARD_FORMS:
        assert not [text for text, _ in history if card in text]
        assert not [text for text in stored if card in text]
        assert not [line for line in logged if card in line]
    # Nothing was charged: the order the form shows still waits for the site's payment form.
    assert charges.calls == []
    assert stored_order(world, ana, form["order_id"]).status is OrderStatus.PENDING


# -- bad input ---------------------------------------------------------------------------------


def test_bad_messages_and_session_ids_are_refused_with_problems(
    client: TestClient[Any],
    world: World,
    ana: CustomerId,
    bob: CustomerId,
    data_agent: ServedDataAgent,
) -> None:
    anas = chat_as(client, world, "ana@example.com")
    bobs = chat_as(client, world, "bob@example.com")
    bobs.say("hello")
    bobs_history = bobs.history()
    unknown = "sess-" + "0" * 32

    def post(body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        return client.post(
            "/api/chat", json=body, headers=anas.headers if headers is None else headers
        )

    assert_problem(post({"message": ""}), 400, "empty_message")
    assert_problem(post({"message": "  \n\t "}), 400, "empty_message")
    assert_problem(post({"message": "x" * 2001}), 400, "message_too_long")
    assert post({"message": "x" * 2000}).status_code == 200  # the longest message there is
    assert_problem(post({"message": "hello", "session_id": "sess-123"}), 400, "invalid_session_id")
    assert_problem(post({"message": "a\x00b"}), 400, "invalid_message")
    missing = post({"message": "hello", "session_id": unknown})
    assert_problem(missing, 404, "conversation_not_found")
    # Bob's conversation is not Ana's: not found, for reading and for writing.
    foreign = post({"message": "hello", "session_id": bobs.session_id})
    assert_problem(foreign, 404, "conversation_not_found")
    assert foreign.json() | {"request_id": ""} == missing.json() | {"request_id": ""}
    read = client.get(f"/api/chat/{bobs.session_id}", headers=anas.headers)
    assert_problem(read, 404, "conversation_not_found")
    assert_problem(
        client.get("/api/chat/not-a-session", headers=anas.headers), 400, "invalid_session_id"
    )
    assert bobs.history() == bobs_history
    # No token, no conversation.
    assert post({"message": "hello"}, headers={}).status_code == 401
    assert client.get(f"/api/chat/{bobs.session_id}").status_code == 401
    assert data_agent.tool_calls == 0


# -- the Data Agent down -----------------------------------------------------------------------


def test_with_the_data_agent_down_the_customer_gets_a_503_in_plain_words_and_nothing_invented(
    client: TestClient[Any],
    world: World,
    ana: CustomerId,
    ticket: Ticket,
    data_agent: ServedDataAgent,
) -> None:
    chat = chat_as(client, world, "ana@example.com")
    ref = ticket.number.value
    first = chat.say(f"Is {ref} eligible for an upgrade?")
    assert f"Yes, {ref} can be upgraded." in first["response_text"]
    before = chat.history()

    data_agent.stop()
    down = client.post(
        "/api/chat",
        json={"message": f"book non-stop for {ref} on 2026-04-04", "session_id": chat.session_id},
        headers=chat.headers,
    )
    new_conversation = client.post(
        "/api/chat", json={"message": f"how much is standard for {ref}?"}, headers=chat.headers
    )

    for response in (down, new_conversation):
        problem = assert_problem(response, 503, "data_agent_unavailable")
        assert problem["detail"].startswith("The Data Agent")
        assert "cannot help now" in problem["detail"]
        assert problem["guidance"] == "Please try again in a moment."
        assert int(response.headers["retry-after"]) > 0
        assert "response_text" not in problem
    assert chat.history() == before  # the failed turn is not remembered as answered
    assert world.container.list_my_orders()(ana) == []

    # Back again, the same conversation carries on where it was.
    data_agent.start()
    held = chat.say(f"book non-stop for {ref} on 2026-04-04")

    [form] = actions_of(held, "show_payment_form")
    assert stored_order(world, ana, form["order_id"]).status is OrderStatus.PENDING
    assert len(chat.history()) == len(before) + 2
