"""Property 2 through the Data Agent's reasoning: `data_request` turns a plain-words instruction
into exactly the structured call it means, with validated arguments, and its outcome is that
call's.

Each example builds two identical applications (sequential ids, the same clock, customers and
tickets). One is asked in words, through `data_request` (the rule-based reasoner, the local
build's), over MCP and its HTTP stack in process with Ana's bearer token; the other is asked
the structured call the words mean, directly, the same way. Instructions name Ana's tickets,
Bob's and unknown ones, by number in any case and spelling or by id, anywhere in the sentence;
tiers by key or synonym; dates in many phrasings, in and out of the booking window, on sold-out
days; tickets that can and cannot be upgraded. The expected call is worked out here from what
was written, not by the reasoner's code.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx2
from hypothesis import event, given
from hypothesis import strategies as st
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from domain.ids import CustomerId
from domain.tickets import Ticket, TicketStatus
from domain.tiers import Tier
from entrypoints.mcp.server import data_agent_app
from tests.builders import World
from tests.property.support import fresh_world, store_fingerprint

TODAY = date(2026, 3, 10)  # a Tuesday: tests.conftest.NOW at the park
# Two days are sold out: a quote for them is refused however well it is asked for.
SOLD_OUT = {"2026-03-21:double-fun": 0, "2026-03-22:non-stop": 0}

# -- the two applications ----------------------------------------------------------------------


@dataclass
class Cast:
    """Ana (who asks) with her tickets, and Bob with one of his."""

    world: World
    ana: CustomerId
    tickets: list[Ticket]
    bobs_ticket: Ticket
    token: str


TicketSpec = tuple[Tier, TicketStatus, int]


def build(specs: list[TicketSpec]) -> Cast:
    world = fresh_world(ids="sequential", capacity_overrides=SOLD_OUT)
    ana = world.customer("ana@example.com", "Ana", "Lima")
    bob = world.customer("bob@example.com", "Bob", "Stone")
    tickets = [world.ticket(ana, tier, visit_in, status) for tier, status, visit_in in specs]
    bobs_ticket = world.ticket(bob)
    return Cast(world, ana, tickets, bobs_ticket, world.token("ana@example.com"))


@asynccontextmanager
async def data_agent(cast: Cast) -> AsyncIterator[Client]:
    """An MCP client of the cast's Data Agent, through its HTTP app (in process), as Ana."""
    app = data_agent_app(cast.world.container)
    headers = {"Authorization": f"Bearer {cast.token}"}
    async with (
        app.router.lifespan_context(app),
        httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=app), base_url="http://data-agent", headers=headers
        ) as http,
        Client(streamable_http_client("http://data-agent/mcp", http_client=http)) as client,
    ):
        yield client


async def in_words(cast: Cast, instruction: str) -> dict[str, Any]:
    async with data_agent(cast) as client:
        result = await client.call_tool("data_request", {"instruction": instruction})
    assert not result.is_error, result.content
    content: dict[str, Any] | None = result.structured_content
    assert content is not None
    return content


async def directly(cast: Cast, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    async with data_agent(cast) as client:
        return await client.call_tool(tool, arguments)


# -- what is written, and what it means ----------------------------------------------------------


def weighted(*branches: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Pick a branch with the given weight, then draw from it."""
    return st.sampled_from(
        [strategy for weight, strategy in branches for _ in range(weight)]
    ).flatmap(lambda strategy: strategy)


@dataclass(frozen=True)
class Said:
    """Words for one value, and the value the tools should get."""

    words: str
    value: str


@st.composite
def ticket_refs(draw: st.DrawFn, cast: Cast) -> Said:
    """One of Ana's tickets (mostly), Bob's, or one that does not exist; by number with any
    case and separator, or by id in either case."""
    ticket = draw(
        weighted(
            (6, st.sampled_from(cast.tickets)),
            (1, st.just(cast.bobs_ticket)),
            (1, st.none()),
        )
    )
    if draw(weighted((3, st.just("number")), (1, st.just("id")))) == "number":
        digits = (
            ticket.number.value[4:]
            if ticket is not None
            else f"{draw(st.integers(min_value=90_000_000, max_value=99_999_999))}"
        )
        prefix = draw(st.sampled_from(["TKT-", "tkt-", "Tkt-", "TKT_", "tkt ", "TKT", "tKt-"]))
        return Said(prefix + digits, f"TKT-{digits}")
    uuid = str(ticket.id) if ticket is not None else str(draw(st.uuids()))
    return Said(draw(st.sampled_from([uuid, uuid.upper()])), uuid.lower())


SYNONYMS = {
    Tier.STANDARD: ["standard", "Standard", "STANDARD", "the basic upgrade", "the regular tier"],
    Tier.NON_STOP: [
        "non-stop",
        "Non stop",
        "NONSTOP",
        "non_stop",
        "the no queues pass",
        "a fast pass",
        "skip the lines",
        "unlimited express",
    ],
    Tier.DOUBLE_FUN: [
        "double fun",
        "Double-Fun",
        "DOUBLE_FUN",
        "premium",
        "VIP",
        "the works",
        "the top tier",
        "all-inclusive",
    ],
}
tier_names = st.sampled_from(list(SYNONYMS)).flatmap(
    lambda tier: st.sampled_from(SYNONYMS[tier]).map(lambda words: Said(words, tier.key))
)

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
COUNTS = {1: "a", 2: "two", 3: "three", 4: "four"}


def ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def phrasings(n: int) -> list[str]:
    """Ways to name the day `n` days from today (each phrase with its own preposition)."""
    day = TODAY + timedelta(days=n)
    month, short = MONTHS[day.month - 1], MONTHS[day.month - 1][:3]
    ways = [f"on {day.isoformat()}", f"on {short}. {day.day}, {day.year}"]
    if n >= 0:  # without a year, a date means the next one from today on
        ways += [
            f"on {month} {day.day}",
            f"on {short} {ordinal(day.day)}",
            f"on the {ordinal(day.day)} of {month}",
            f"on {day.day} {short}",
        ]
    ways += {0: ["today"], 1: ["tomorrow"], 2: ["the day after tomorrow"]}.get(n, [])
    if 1 <= n <= 30:
        ways += [f"in {n} days", f"{n} days from today", f"{n} days from now"]
    if n > 0 and n % 7 == 0 and n // 7 in COUNTS:
        ways += [f"in {COUNTS[n // 7]} week{'s' if n > 7 else ''}"]
    if 0 <= n <= 6:
        ways += [f"this {WEEKDAYS[day.weekday()]}"]
    if 7 <= n <= 13:
        ways += [f"next {WEEKDAYS[day.weekday()]}"]
    return ways


days_ahead = weighted(
    (4, st.integers(min_value=2, max_value=45)),  # bookable
    (1, st.integers(min_value=-3, max_value=1)),  # past, or too soon
    (1, st.integers(min_value=100, max_value=130)),  # too far ahead, for some
    (2, st.sampled_from([11, 12])),  # the sold-out weekend
)
dates = days_ahead.flatmap(
    lambda n: st.sampled_from(phrasings(n)).map(
        lambda words: Said(words, (TODAY + timedelta(days=n)).isoformat())
    )
)


def sentence(template: str, **said: Said) -> str:
    text = template.format(**{name: value.words for name, value in said.items()})
    return text[:1].upper() + text[1:]


PRICE = [
    "how much does it cost to upgrade {ref} to {tier} {date}?",
    "{date}, what would {tier} cost for {ref}?",
    "what's the price of {tier} for {ref} {date}",
    "{ref}: how much is {tier} {date}?",
]
HOLD = [
    "please hold {tier} for {ref} {date}.",
    "{date}: hold {tier} for {ref}",
    "I'd like to reserve {tier} {date} for {ref}",
    "book {tier} for {ref} {date}, thanks",
]
ELIGIBILITY = [
    "is {ref} eligible for an upgrade?",
    "does {ref} qualify for an upgrade?",
    "{ref}: is it upgradable?",
    "check whether ticket {ref} is eligible",
]
TICKET = [
    "look up ticket {ref}",
    "what are the details of my ticket {ref}?",
    "{ref} - info about this ticket",
]
LIST = ["list my tickets", "Which tickets do I have?", "show me all my tickets please"]


@dataclass(frozen=True)
class Request:
    instruction: str
    tool: str
    arguments: dict[str, Any]


@st.composite
def requests(draw: st.DrawFn, cast: Cast) -> Request:
    kind = draw(
        weighted(
            (4, st.just("hold")),
            (3, st.just("price")),
            (2, st.just("eligibility")),
            (1, st.just("ticket")),
            (1, st.just("list")),
        )
    )
    if kind == "list":
        return Request(draw(st.sampled_from(LIST)), "list_tickets", {})
    ref = draw(ticket_refs(cast))
    if kind in ("eligibility", "ticket"):
        template = draw(st.sampled_from(ELIGIBILITY if kind == "eligibility" else TICKET))
        tool = "check_eligibility" if kind == "eligibility" else "get_ticket"
        return Request(sentence(template, ref=ref), tool, {"ticket": ref.value})
    tier, day = draw(tier_names), draw(dates)
    template = draw(st.sampled_from(HOLD if kind == "hold" else PRICE))
    instruction = sentence(template, ref=ref, tier=tier, date=day)
    if kind == "hold":
        return Request(
            instruction,
            "quote_upgrade",
            {"ticket": ref.value, "tier": tier.value, "date": day.value},
        )
    return Request(
        instruction, "upgrade_options", {"ticket": ref.value, "start": day.value, "days": 1}
    )


# Ana's first ticket can usually be upgraded; the others are anything at all.
upgradable = st.tuples(
    st.sampled_from([Tier.GENERAL, Tier.STANDARD]),
    st.just(TicketStatus.ACTIVE),
    st.integers(min_value=3, max_value=60),
)
any_ticket = st.tuples(
    st.sampled_from(list(Tier)),
    st.sampled_from(list(TicketStatus)),
    st.integers(min_value=-3, max_value=130),
)
ticket_specs = st.tuples(upgradable, st.lists(any_ticket, max_size=2)).map(
    lambda specs: [specs[0], *specs[1]]
)


# -- the property ------------------------------------------------------------------------------


@given(specs=ticket_specs, data=st.data())
def test_data_request_makes_the_call_the_words_mean_with_the_outcome_of_that_call(
    specs: list[TicketSpec], data: st.DataObject
) -> None:
    """Feature: ticket-auto-process, Property 2: For any data operation request, the Data Agent should use LLM reasoning to perform correct validation and data manipulation operations

    For any instruction in words (ticket references in any case and position, tiers by key or
    synonym, dates in many phrasings; valid or not), `data_request` makes exactly the one
    structured call the instruction means, with validated arguments (the tool's canonical
    ticket reference, tier key and YYYY-MM-DD date), and its outcome is that call's made
    directly: the same data, or the same refusal code explained in plain words; the store ends
    as the direct call leaves it, and a refused request writes nothing.
    """  # noqa: E501
    asked, oracle = build(specs), build(specs)
    request = data.draw(requests(asked))
    before = store_fingerprint(asked.world)

    result = asyncio.run(in_words(asked, request.instruction))
    expected = asyncio.run(directly(oracle, request.tool, request.arguments))

    assert expected.structured_content is not None
    code = expected.structured_content["code"] if expected.is_error else None
    event(f"{request.tool}: {code or 'answered'}")
    assert result["calls"] == [
        {"tool": request.tool, "arguments": request.arguments, "ok": code is None, "code": code}
    ]
    assert store_fingerprint(asked.world) == store_fingerprint(oracle.world)
    if expected.is_error:
        assert result["data"] is None
        message = expected.structured_content["message"]
        assert result["answer"].startswith("Sorry, ")  # in plain words: the domain's own
        assert message[1:] in result["answer"]
        assert code not in result["answer"]
        assert store_fingerprint(asked.world) == before
    else:
        assert result["data"] == expected.structured_content
        assert not result["answer"].startswith("Sorry")
