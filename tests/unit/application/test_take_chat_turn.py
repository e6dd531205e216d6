"""The Ticket Agent's turn (`TakeChatTurn`): its own rules, with real adapters around it.

The conversation memory is the in-memory adapter; the reasoner is the rule-based one, or the
Bedrock Converse adapter on a real boto3 client whose answers are scripted with botocore's
Stubber (tool calls, a tool loop that never ends, a model that is throttled); the tools are the
Data Agent's, reached by the MCP client over HTTP on a port (the client needs a URL), served
over this test's container, so that what the tools answer is what the use cases really do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import boto3
import pytest
from botocore.stub import Stubber

from adapters.clock import FixedClock
from adapters.conversation_memory.in_memory import InMemoryConversationMemory
from adapters.ids import RandomIdGenerator
from adapters.mcp.data_agent_client import McpDataAgentTools
from adapters.reasoning.bedrock_converse import BedrockConverseReasoner
from adapters.reasoning.fallback import FALLBACK_NOTICE, FallbackReasoner, reasoning_breaker
from adapters.reasoning.rule_based import RuleBasedReasoner
from application.errors import ServiceUnavailableError
from application.ports.conversation_memory import Role
from application.ports.reasoning import Reasoner, ReasoningUnavailableError
from application.use_cases.take_chat_turn import (
    CARD_WARNING,
    ESCALATION_TEXT,
    ChatCommand,
    TakeChatTurn,
    customer_namespace,
)
from domain.conversations import REDACTED_CARD
from domain.errors import InvalidInputError, NotFoundError
from domain.ids import CustomerId
from domain.tickets import Ticket
from domain.tiers import Tier
from infra.container import Container
from tests.builders import World
from tests.support.data_agent import ServedDataAgent
from tests.support.live_http import free_port

PARK_ZONE = "America/Los_Angeles"
APRIL_4 = date(2026, 4, 4)


# -- the adapters around the use case ----------------------------------------------------------


@pytest.fixture
def data_agent(container: Container) -> Iterator[ServedDataAgent]:
    served = ServedDataAgent(container, free_port()).start()
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture
def tools(data_agent: ServedDataAgent) -> Iterator[McpDataAgentTools]:
    adapter = McpDataAgentTools(data_agent.url, timeout=5)
    try:
        yield adapter
    finally:
        adapter.close()


@pytest.fixture
def memory() -> InMemoryConversationMemory:
    return InMemoryConversationMemory(RandomIdGenerator())


@pytest.fixture
def rules(clock: FixedClock) -> RuleBasedReasoner:
    return RuleBasedReasoner(clock, PARK_ZONE)


@dataclass
class Bedrock:
    """A real `bedrock-runtime` client on a Stubber, and every Converse request sent to it."""

    client: Any
    stubber: Stubber
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def reasoner(self) -> BedrockConverseReasoner:
        return BedrockConverseReasoner(self.client)

    def answers(self, content: list[dict[str, Any]], stop_reason: str) -> None:
        """Queue Converse's next answer, shaped as Bedrock sends it (usage and metrics too)."""
        self.stubber.add_response(
            "converse",
            {
                "output": {"message": {"role": "assistant", "content": content}},
                "stopReason": stop_reason,
                "usage": {"inputTokens": 1187, "outputTokens": 96, "totalTokens": 1283},
                "metrics": {"latencyMs": 1342},
            },
        )

    def says(self, text: str) -> None:
        self.answers([{"text": text}], "end_turn")

    def calls(self, *calls: tuple[str, str, dict[str, Any]]) -> None:
        self.answers(
            [{"text": "<thinking>I need the tools.</thinking>"}]
            + [{"toolUse": {"toolUseId": i, "name": n, "input": a}} for i, n, a in calls],
            "tool_use",
        )

    def texts(self, request: int) -> list[tuple[str, str]]:
        """The (role, text) blocks of one request's messages."""
        return [
            (message["role"], block["text"])
            for message in self.requests[request]["messages"]
            for block in message["content"]
            if "text" in block
        ]

    def tool_results(self, request: int) -> list[dict[str, Any]]:
        return [
            block["toolResult"]
            for message in self.requests[request]["messages"]
            for block in message["content"]
            if "toolResult" in block
        ]


@pytest.fixture
def bedrock() -> Iterator[Bedrock]:
    client = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    recorded = Bedrock(client, Stubber(client))

    def record(params: dict[str, Any], **_: Any) -> None:
        recorded.requests.append(params)

    client.meta.events.register("provide-client-params.bedrock-runtime.Converse", record)
    with recorded.stubber:
        yield recorded


@dataclass
class Agent:
    """The use case over the fixtures' adapters, and one customer talking to it."""

    turn: TakeChatTurn
    customer: CustomerId
    token: str

    def say(self, message: str, session_id: str | None = None) -> Any:
        return self.turn(ChatCommand(self.customer, self.token, message, session_id))


@pytest.fixture
def ana(world: World) -> CustomerId:
    return world.customer("ana@example.com", "Ana", "Lima")


@pytest.fixture
def ticket(world: World, ana: CustomerId) -> Ticket:
    """General, Monday 30 March 2026."""
    return world.ticket(ana, visit_in=20)


@pytest.fixture
def agent_with(
    world: World,
    ana: CustomerId,
    memory: InMemoryConversationMemory,
    tools: McpDataAgentTools,
    clock: FixedClock,
) -> Any:
    token = world.token("ana@example.com")

    def build(reasoner: Reasoner, max_steps: int = 6) -> Agent:
        turn = TakeChatTurn(
            memory=memory,
            reasoner=reasoner,
            tools=tools,
            clock=clock,
            ids=RandomIdGenerator(),
            park_name="Funland Park",
            max_steps=max_steps,
        )
        return Agent(turn, ana, token)

    return build


def stored(memory: InMemoryConversationMemory, customer: CustomerId, session: str) -> list[Any]:
    return [
        (message.role, message.text)
        for event in memory.list_events(str(customer), session)
        for message in event.messages
    ]


def facts(memory: InMemoryConversationMemory, customer: CustomerId) -> set[str]:
    return {record.text for record in memory.search_long_term(customer_namespace(customer), "", 50)}


# -- welcome back, and what is remembered ------------------------------------------------------


def test_a_new_conversation_is_welcomed_back_when_something_is_known_of_the_customer(
    world: World,
    ana: CustomerId,
    memory: InMemoryConversationMemory,
    rules: RuleBasedReasoner,
    agent_with: Any,
    clock: FixedClock,
) -> None:
    agent = agent_with(rules)
    first = agent.say("hello")
    assert not first.response_text.startswith("Welcome back!")  # nothing known yet
    memory.put_long_term(customer_namespace(ana), "Likes the non-stop tier.", clock.now())

    again = agent.say("hello")
    follow_up = agent.say("what can you do?", again.session_id)
    escalated = agent.say("I want a refund")

    assert again.response_text.startswith("Welcome back! Hello! I can show your tickets")
    assert not follow_up.response_text.startswith("Welcome back!")  # said once, when it starts
    assert escalated.response_text == ESCALATION_TEXT  # a complaint is not greeted warmly
    assert stored(memory, ana, again.session_id)[1] == (Role.ASSISTANT, again.response_text)


def test_what_is_known_of_the_customer_reaches_the_model(
    ana: CustomerId,
    memory: InMemoryConversationMemory,
    bedrock: Bedrock,
    agent_with: Any,
    clock: FixedClock,
) -> None:
    memory.put_long_term(customer_namespace(ana), "Likes the double-fun tier.", clock.now())
    bedrock.says("Hello again! Double Fun like last time?")

    reply = agent_with(bedrock.reasoner).say("hi there")

    system = bedrock.requests[0]["system"][0]["text"]
    assert system.startswith("You are the Ticket Agent of Funland Park.")
    assert system.endswith("What we know about this customer: Likes the double-fun tier.")
    assert reply.response_text == "Welcome back! Hello again! Double Fun like last time?"


def test_facts_are_remembered_from_what_the_tools_answered(
    world: World,
    ana: CustomerId,
    ticket: Ticket,
    memory: InMemoryConversationMemory,
    rules: RuleBasedReasoner,
    agent_with: Any,
) -> None:
    agent = agent_with(rules)
    ref = ticket.number.value

    listed = agent.say("which tickets do I have?")
    agent.say(f"how much is standard for {ref} on 2026-04-04?", listed.session_id)
    assert facts(memory, ana) == {f"Holds ticket {ref} (general, visit 2026-03-30)."}
    held = agent.say(f"book non-stop for {ref} on 2026-04-04", listed.session_id)
    [form] = [action.data for action in held.actions if action.type == "show_payment_form"]
    world.pay(ana, UUID(form["order_id"]))  # the site's payment form
    agent.say(f"what's the status of my order {form['order_id']}?")

    assert facts(memory, ana) == {
        f"Holds ticket {ref} (general, visit 2026-03-30).",
        "Likes the non-stop tier.",
        f"Upgraded ticket {ref} to non-stop for {APRIL_4}.",
    }


# -- the model's tool loop ---------------------------------------------------------------------


def test_the_models_tool_calls_reach_the_data_agent_and_their_results_come_back(
    world: World,
    ana: CustomerId,
    ticket: Ticket,
    memory: InMemoryConversationMemory,
    bedrock: Bedrock,
    agent_with: Any,
    data_agent: ServedDataAgent,
) -> None:
    ref = ticket.number.value
    bedrock.calls(("t1", "list_tickets", {}))
    bedrock.calls(
        ("t2", "quote_upgrade", {"ticket": ref, "tier": "non-stop", "date": "2026-04-04"})
    )
    bedrock.says("Done: Non-stop on 4 April is held for you. Please pay in the form.")

    reply = agent_with(bedrock.reasoner).say(f"Please upgrade {ref} to Non-stop on April 4")

    # Each step's results went back to the model: its tickets, then the quote.
    [listing] = bedrock.tool_results(1)
    assert (listing["toolUseId"], listing["status"]) == ("t1", "success")
    assert [t["number"] for t in listing["content"][0]["json"]["tickets"]] == [ref]
    quote = bedrock.tool_results(2)[-1]
    assert (quote["toolUseId"], quote["status"]) == ("t2", "success")
    assert quote["content"][0]["json"]["status"] == "pending"
    offered = {spec["toolSpec"]["name"] for spec in bedrock.requests[0]["toolConfig"]["tools"]}
    assert offered >= {"list_tickets", "quote_upgrade"}
    # Not the Data Agent's own reasoning tool: the structured results are what actions use.
    assert "data_request" not in offered
    # The quote is real, and the payment form shows it.
    [order] = world.container.list_my_orders()(ana)
    assert (order.order.tier, order.order.day) == (Tier.NON_STOP, APRIL_4)
    [action] = reply.actions
    assert action.type == "show_payment_form"
    assert action.data["order_id"] == str(order.id)
    assert Decimal(action.data["amount_due"]) == order.order.amount_due.amount
    assert (
        reply.response_text == "Done: Non-stop on 4 April is held for you. Please pay in the form."
    )
    assert reply.confidence_score == 0.9
    assert data_agent.tool_calls == 2
    assert facts(memory, ana) == {
        f"Holds ticket {ref} (general, visit 2026-03-30).",
        "Likes the non-stop tier.",
    }
    # Only the words are kept as the conversation: not the tool traffic.
    assert stored(memory, ana, reply.session_id) == [
        (Role.USER, f"Please upgrade {ref} to Non-stop on April 4"),
        (Role.ASSISTANT, reply.response_text),
    ]


def test_a_payment_form_needs_a_real_quote_whatever_the_model_says(
    world: World, ana: CustomerId, ticket: Ticket, bedrock: Bedrock, agent_with: Any
) -> None:
    bedrock.says("I have booked Double Fun for you: please pay now in the payment form!")

    reply = agent_with(bedrock.reasoner).say(f"upgrade {ticket.number} to Double Fun")

    assert reply.actions == ()
    assert reply.next_steps == ()
    assert world.container.list_my_orders()(ana) == []


def test_tool_errors_lower_the_confidence(
    ticket: Ticket, bedrock: Bedrock, agent_with: Any
) -> None:
    agent = agent_with(bedrock.reasoner)
    bedrock.calls(("t1", "get_ticket", {"ticket": "TKT-99999999"}))
    bedrock.says("I could not find that ticket on your account.")
    bedrock.calls(("t2", "get_ticket", {"ticket": ticket.number.value}))
    bedrock.says("Your ticket can be upgraded.")

    refused = agent.say("Tell me about TKT-99999999")
    found = agent.say(f"Tell me about {ticket.number}", refused.session_id)

    [error] = bedrock.tool_results(1)
    assert error["status"] == "error"
    assert error["content"][0]["json"]["code"] == "ticket_not_found"
    assert refused.confidence_score == pytest.approx(0.9 * 0.8)
    assert found.confidence_score == 0.9


def test_a_tool_loop_that_never_ends_stops_after_max_steps(
    ana: CustomerId,
    ticket: Ticket,
    memory: InMemoryConversationMemory,
    bedrock: Bedrock,
    agent_with: Any,
    data_agent: ServedDataAgent,
) -> None:
    for step in range(3):
        bedrock.calls((f"t{step}", "get_ticket", {"ticket": ticket.number.value}))

    reply = agent_with(bedrock.reasoner, max_steps=3).say(f"what about {ticket.number}?")

    assert len(bedrock.requests) == 3  # a fourth would find no stubbed answer
    assert data_agent.tool_calls == 3
    assert (
        reply.response_text == "Sorry, that took me too many steps. Could you ask in a simpler way?"
    )
    assert reply.confidence_score == 0.2
    assert reply.actions == ()
    assert stored(memory, ana, reply.session_id)[1] == (Role.ASSISTANT, reply.response_text)


# -- escalation, cards, failures ---------------------------------------------------------------


def test_an_escalation_is_answered_without_the_reasoner_or_the_tools(
    ana: CustomerId,
    memory: InMemoryConversationMemory,
    bedrock: Bedrock,
    agent_with: Any,
    data_agent: ServedDataAgent,
) -> None:
    reply = agent_with(bedrock.reasoner).say("This is unacceptable, I want my money back")

    assert bedrock.requests == []  # the Stubber has no answer queued: any call would fail
    assert data_agent.requests == 0  # not even a listing of the tools
    assert reply.escalated is True
    assert [(a.type, dict(a.data)) for a in reply.actions] == [("escalate", {"reason": "refund"})]
    assert reply.next_steps == ("A member of our team will contact you by email.",)
    assert (reply.response_text, reply.confidence_score) == (ESCALATION_TEXT, 1.0)
    assert stored(memory, ana, reply.session_id) == [
        (Role.USER, "This is unacceptable, I want my money back"),
        (Role.ASSISTANT, ESCALATION_TEXT),
    ]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (
            "my card is 4242 4242 4242 4242 12/30 cvc 123",
            f"my card is {REDACTED_CARD} 12/30 cvc 123",
        ),
        ("use 5555-5555-5555-4444-123 please", f"use {REDACTED_CARD}-123 please"),
        ("pay with 4000056655665556 2 times", f"pay with {REDACTED_CARD} 2 times"),
    ],
)
def test_a_card_number_is_removed_before_the_model_sees_it_or_it_is_stored(
    ana: CustomerId,
    memory: InMemoryConversationMemory,
    bedrock: Bedrock,
    agent_with: Any,
    typed: str,
    kept: str,
) -> None:
    agent = agent_with(bedrock.reasoner)
    bedrock.says("How can I help with your upgrade?")
    first = agent.say("hello")
    bedrock.says("Sure.")

    reply = agent.say(typed, first.session_id)

    assert bedrock.texts(1) == [
        ("user", "hello"),
        ("assistant", "How can I help with your upgrade?"),
        ("user", kept),
    ]
    assert stored(memory, ana, first.session_id)[2:] == [
        (Role.USER, kept),
        (Role.ASSISTANT, f"{CARD_WARNING} Sure."),
    ]
    assert reply.response_text == f"{CARD_WARNING} Sure."
    assert reply.confidence_score == pytest.approx(0.9 * 0.9)


def test_a_model_that_cannot_answer_is_an_error_and_the_turn_is_not_kept(
    ana: CustomerId,
    memory: InMemoryConversationMemory,
    bedrock: Bedrock,
    agent_with: Any,
) -> None:
    agent = agent_with(bedrock.reasoner)
    started = agent.say("I need a human")  # escalated: the model is not asked
    bedrock.stubber.add_client_error(
        "converse", "ThrottlingException", "Too many requests", http_status_code=429
    )

    with pytest.raises(ReasoningUnavailableError) as unavailable:
        agent.say("hello again", started.session_id)

    assert unavailable.value.code == "reasoning_unavailable"
    assert len(stored(memory, ana, started.session_id)) == 2  # only the first turn


def test_a_fallback_answer_is_flagged_for_a_person(
    ana: CustomerId,
    memory: InMemoryConversationMemory,
    bedrock: Bedrock,
    rules: RuleBasedReasoner,
    agent_with: Any,
    clock: FixedClock,
) -> None:
    bedrock.stubber.add_client_error(
        "converse", "ThrottlingException", "Too many requests", http_status_code=429
    )
    reasoner = FallbackReasoner(bedrock.reasoner, rules, reasoning_breaker(clock))

    reply = agent_with(reasoner).say("hello")

    assert reply.response_text.startswith("Hello! I can show your tickets")
    assert reply.response_text.endswith(FALLBACK_NOTICE)
    assert reply.escalated is True
    assert [(a.type, dict(a.data)) for a in reply.actions] == [
        ("escalate", {"reason": "assistant_fallback"})
    ]
    assert reply.next_steps == ("A member of our team will contact you by email.",)
    assert reply.confidence_score == pytest.approx(0.9 * 0.5)
    assert stored(memory, ana, reply.session_id)[1] == (Role.ASSISTANT, reply.response_text)


def test_a_data_agent_that_cannot_be_reached_is_an_error_and_the_turn_is_not_kept(
    world: World,
    ana: CustomerId,
    ticket: Ticket,
    memory: InMemoryConversationMemory,
    rules: RuleBasedReasoner,
    clock: FixedClock,
) -> None:
    nowhere = McpDataAgentTools(f"http://127.0.0.1:{free_port()}/mcp", timeout=5)
    turn = TakeChatTurn(memory, rules, nowhere, clock, RandomIdGenerator(), "Funland Park")
    token = world.token("ana@example.com")
    try:
        started = turn(ChatCommand(ana, token, "let me speak to a person"))
        with pytest.raises(ServiceUnavailableError) as unavailable:
            turn(ChatCommand(ana, token, f"is {ticket.number} eligible?", started.session_id))
    finally:
        nowhere.close()

    assert unavailable.value.code == "data_agent_unavailable"
    assert len(stored(memory, ana, started.session_id)) == 2


# -- what is refused before anything runs -------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "session", "error", "code"),
    [
        ("", None, InvalidInputError, "empty_message"),
        (" \n\t ", None, InvalidInputError, "empty_message"),
        ("x" * 2001, None, InvalidInputError, "message_too_long"),
        ("hello\x00", None, InvalidInputError, "invalid_message"),
        ("hello", "sess-123", InvalidInputError, "invalid_session_id"),
        ("hello", "sess-" + "0" * 32, NotFoundError, "conversation_not_found"),
    ],
)
def test_bad_messages_and_unknown_sessions_are_refused_before_anything_runs(
    rules: RuleBasedReasoner,
    agent_with: Any,
    data_agent: ServedDataAgent,
    message: str,
    session: str | None,
    error: type[Exception],
    code: str,
) -> None:
    with pytest.raises(error) as refused:
        agent_with(rules).say(message, session)

    assert getattr(refused.value, "code", None) == code
    assert data_agent.requests == 0


def test_another_customers_conversation_is_not_found(
    world: World,
    ana: CustomerId,
    memory: InMemoryConversationMemory,
    rules: RuleBasedReasoner,
    agent_with: Any,
) -> None:
    anas = agent_with(rules)
    started = anas.say("hello")
    bob = world.customer("bob@example.com", "Bob", "Stone")
    bobs = Agent(anas.turn, bob, world.token("bob@example.com"))  # the same agent and memory

    with pytest.raises(NotFoundError) as refused:
        bobs.say("what did she say?", started.session_id)

    assert refused.value.code == "conversation_not_found"
    assert len(stored(memory, ana, started.session_id)) == 2
    assert stored(memory, bob, started.session_id) == []
