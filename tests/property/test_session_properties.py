"""Property 3: every new conversation gets a session id of its own, and its history is stored.

Through the Ticket Agent's turn (`TakeChatTurn`, as the container wires it in the memory
profile: the rule-based reasoner, the in-memory conversation memory, and the Data Agent's tools
over a real MCP connection to a Data Agent served on a port). One Data Agent serves the whole
module, over one container; every example makes customers of its own, each with a ticket,
so that examples cannot see each other's conversations and the tools have something to find.

Each example is any sequence of messages from two or three customers, each either starting a
conversation or following up one of that customer's own. Messages are made of pieces: phrases
the agent acts on (prices, the cheapest day, booking, escalation words), free text, and card
numbers. The stored history is compared with an oracle built from the pieces (a card number
is stored as the redaction marker), not with the redaction code itself.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.clock import FixedClock
from adapters.mcp.data_agent_client import McpDataAgentTools
from application.ports.conversation_memory import Role
from application.use_cases.take_chat_turn import ChatCommand
from domain.conversations import REDACTED_CARD
from domain.errors import InvalidInputError, NotFoundError
from domain.ids import CustomerId
from entrypoints.mcp.server import data_agent_app
from infra.container import Container
from tests.builders import World
from tests.conftest import NOW, build_test_container, make_settings
from tests.property.support import MAIL_DIR
from tests.support.live_http import free_port, uvicorn_in_thread

SESSION_ID = re.compile(r"sess-[0-9a-f]{32}")
JOIN = ", "  # between pieces: a comma ends any run of digits, so pieces never merge


@dataclass
class Stage:
    """The module's application and the Data Agent serving it."""

    world: World
    emails: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    session_ids: set[str] = field(default_factory=set)  # every id handed out, all examples

    @property
    def container(self) -> Container:
        return self.world.container


@pytest.fixture(scope="module")
def stage() -> Iterator[Stage]:
    port = free_port()
    settings = make_settings(MAIL_DIR, data_agent_url=f"http://127.0.0.1:{port}/mcp")
    clock = FixedClock(NOW)
    container = build_test_container(settings, clock)
    assert (settings.reasoner, settings.conversation_memory) == ("rules", "memory")
    tools = container.data_agent_tools()
    assert isinstance(tools, McpDataAgentTools)  # the turn's tools really go over MCP
    with uvicorn_in_thread(data_agent_app(container), path="/health", port=port):
        try:
            yield Stage(World(container, clock))
        finally:
            tools.close()


# -- messages, piece by piece ------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """Part of a message: `typed` is what the customer types, `stored` what must be kept."""

    typed: str
    stored: str
    card: str | None = None  # the card's digits, when the piece is a card number


def luhn_completed(payload: str) -> str:
    """`payload` and the check digit that makes the whole pass the Luhn test (computed here,
    independently of the domain's code)."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return payload + str((10 - total % 10) % 10)


@st.composite
def card_pieces(draw: st.DrawFn) -> Piece:
    length = draw(st.integers(min_value=13, max_value=19))
    first = draw(st.sampled_from("3456"))
    rest = draw(st.text("0123456789", min_size=length - 2, max_size=length - 2))
    digits = luhn_completed(first + rest)
    separator = draw(st.sampled_from(["", " ", "-"]))
    typed = separator.join(digits[n : n + 4] for n in range(0, len(digits), 4))
    return Piece(typed, REDACTED_CARD, digits)


PHRASES = (
    "hello",
    "what can you do?",
    "how much is non-stop for {ticket} on 2026-04-04?",
    "what's the cheapest day for {ticket}?",
    "book double fun for {ticket} on 2026-04-04",
    "is {ticket} eligible for an upgrade?",
    "yes",
    "ok book it",
    "never mind",
    "what about premium?",
    "TKT-99999999",
    "I want a refund",
    "this is unacceptable",
    "let me speak to a person",
    "my card is",
    "what's the status of my order?",
)
# Anything but digits (each piece's digits are only those it means to carry), NUL (refused)
# and lone surrogates (no JSON carries them).
free_text = st.text(
    st.characters(exclude_categories=("Nd", "Cs"), exclude_characters="\x00"), max_size=24
)
# Mostly what the agent acts on (so that the Data Agent's tools are called), some free text,
# and a card number now and then (a message holding one is refused without a tool).
pieces = st.sampled_from(
    [st.sampled_from(PHRASES).map(lambda phrase: Piece(phrase, phrase))] * 6
    + [free_text.map(lambda text: Piece(text, text))] * 2
    + [card_pieces()]
).flatmap(lambda piece: piece)


@dataclass(frozen=True)
class Step:
    """One message of customer `who`: a new conversation (`follow` None) or a follow-up of one
    of their own conversations (by index, modulo how many they have), its id sent in upper
    case when `shout`."""

    who: int
    follow: int | None
    shout: bool
    pieces: tuple[Piece, ...]

    def typed(self, ticket: str) -> str:
        return JOIN.join(piece.typed for piece in self.pieces).replace("{ticket}", ticket)

    def stored(self, ticket: str) -> str:
        return JOIN.join(piece.stored for piece in self.pieces).replace("{ticket}", ticket).strip()


steps = st.builds(
    Step,
    who=st.integers(min_value=0, max_value=2),
    follow=st.none() | st.integers(min_value=0, max_value=7),
    shout=st.booleans(),
    pieces=st.lists(pieces, min_size=1, max_size=3).map(tuple)
    | st.sampled_from([" ", "\n\t"]).map(lambda blank: (Piece(blank, blank),)),
)


# -- the property ------------------------------------------------------------------------------


@dataclass
class Customer:
    id: CustomerId
    token: str
    ticket: str
    sessions: list[str] = field(default_factory=list)


def newcomers(stage: Stage, count: int) -> list[Customer]:
    found = []
    for _ in range(count):
        email = f"session-property-{next(stage.emails)}@example.com"
        customer = stage.world.customer(email)
        ticket = stage.world.ticket(customer, visit_in=20)
        found.append(Customer(customer, stage.world.token(email), ticket.number.value))
    return found


@given(conversation=st.lists(steps, min_size=1, max_size=8), crowd=st.integers(2, 3))
def test_every_new_conversation_gets_its_own_session_id_and_its_history_is_stored(
    stage: Stage, conversation: list[Step], crowd: int
) -> None:
    """Feature: ticket-auto-process, Property 3: For any new conversation initiation, the AgentCore Runtime should generate a unique session identifier and properly store the conversation history in AgentCore Memory

    For any messages from several customers, starting conversations and following them up:
    each new conversation gets a `sess-` + 32 hex id never handed out before; a follow-up
    stays in its conversation; an empty message starts or adds nothing; each conversation's
    history reads back as exactly its turns, in order, with every card number removed; and no
    customer can read or write another's conversation.
    """  # noqa: E501
    people = newcomers(stage, crowd)
    expected: dict[str, list[tuple[Role, str]]] = {}
    cards = [p.card for step in conversation for p in step.pieces if p.card is not None]

    for step in conversation:
        customer = people[step.who % crowd]
        session = None
        if step.follow is not None and customer.sessions:
            session = customer.sessions[step.follow % len(customer.sessions)]
        message = step.typed(customer.ticket)
        command = ChatCommand(
            customer.id,
            customer.token,
            message,
            session.upper() if session is not None and step.shout else session,
        )
        if not message.strip():
            with pytest.raises(InvalidInputError):
                stage.container.take_chat_turn()(command)
            continue

        response = stage.container.take_chat_turn()(command)

        if session is None:
            assert SESSION_ID.fullmatch(response.session_id)
            assert response.session_id not in stage.session_ids
            stage.session_ids.add(response.session_id)
            customer.sessions.append(response.session_id)
        else:
            assert response.session_id == session
        expected.setdefault(response.session_id, []).extend(
            [(Role.USER, step.stored(customer.ticket)), (Role.ASSISTANT, response.response_text)]
        )

    read = stage.container.read_chat_history()
    for customer in people:
        for session in customer.sessions:
            history = read(customer.id, session)
            assert history.session_id == session
            for event in history.events:
                assert [m.role for m in event.messages] == [Role.USER, Role.ASSISTANT]
            stored = [(m.role, m.text) for event in history.events for m in event.messages]
            assert stored == expected[session]
            for digits in cards:
                assert not [text for _, text in stored if digits in text]
            for other in people:
                if other is customer:
                    continue
                with pytest.raises(NotFoundError):
                    read(other.id, session)
                with pytest.raises(NotFoundError):
                    stage.container.take_chat_turn()(
                        ChatCommand(other.id, other.token, "hello", session)
                    )
            assert read(customer.id, session) == history  # the intruders changed nothing
