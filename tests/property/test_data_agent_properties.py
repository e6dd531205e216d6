"""Property 2: the Data Agent validates and changes data exactly as the use cases do.

Each example builds two identical applications (sequential ids, the same clock, the same
customers and tickets). One is asked through the Data Agent, over MCP and its HTTP stack
in process (an ASGI transport, Ana's bearer token); the other is asked by calling the use case
directly. Whatever the arguments (own, foreign, unknown and malformed ticket references; tier
names in any spelling or none; dates in and out of the window or not dates at all; calendar
lengths; customer details good and bad), both must agree: the same answer, or a refusal with
the same code, and the same data left in the store. A refusal writes nothing.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult
from pydantic import BaseModel

from application.use_cases.customers import UpdateCustomerCommand
from application.use_cases.get_upgrade_options import GetUpgradeOptionsCommand
from application.use_cases.quote_upgrade import QuoteUpgradeCommand
from domain.errors import DomainError, InvalidInputError
from domain.ids import CustomerId
from domain.tickets import Ticket, TicketStatus
from domain.tiers import Tier
from entrypoints.mcp.schemas import (
    customer_out,
    eligibility_out,
    options_out,
    order_out,
    ticket_out,
)
from entrypoints.mcp.server import MAX_CALENDAR_DAYS, data_agent_app
from tests.builders import World
from tests.property.support import fresh_world, store_fingerprint

# Two days are sold out: a quote for them is refused however well formed.
SOLD_OUT = {"2026-03-21:double-fun": 0, "2026-03-22:non-stop": 0}
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

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


async def through_the_data_agent(cast: Cast, tool: str, arguments: dict[str, Any]) -> Any:
    app = data_agent_app(cast.world.container)
    headers = {"Authorization": f"Bearer {cast.token}"}
    async with (
        app.router.lifespan_context(app),
        httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=app), base_url="http://data-agent", headers=headers
        ) as http,
        Client(streamable_http_client("http://data-agent/mcp", http_client=http)) as client,
    ):
        return outcome_of(await client.call_tool(tool, arguments))


def outcome_of(result: CallToolResult) -> tuple[str, Any]:
    assert result.structured_content is not None
    if result.is_error:
        return ("refused", result.structured_content["code"])
    return ("answered", result.structured_content)


# -- the use cases, called directly --------------------------------------------------------------


def visit_date(text: str) -> date:
    """The tools' contract for dates, restated: YYYY-MM-DD and a real day, or `invalid_date`."""
    try:
        if ISO_DATE.fullmatch(text.strip()):
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise InvalidInputError("invalid_date", "not a date")


def directly(cast: Cast, tool: str, arguments: dict[str, Any]) -> tuple[str, Any]:
    container, ana = cast.world.container, cast.ana
    calls: dict[str, Callable[[], BaseModel]] = {
        "get_ticket": lambda: ticket_out(container.get_ticket()(ana, arguments["ticket"])),
        "check_eligibility": lambda: eligibility_out(
            container.check_eligibility()(ana, arguments["ticket"])
        ),
        "upgrade_options": lambda: upgrade_options(cast, **arguments),
        "quote_upgrade": lambda: order_out(
            container.quote_upgrade()(
                QuoteUpgradeCommand(
                    ana, arguments["ticket"], arguments["tier"], visit_date(arguments["date"])
                )
            )
        ),
        "update_customer": lambda: update_customer(cast, **arguments),
    }
    try:
        return ("answered", calls[tool]().model_dump(mode="json"))
    except DomainError as error:
        return ("refused", error.code)


def upgrade_options(cast: Cast, ticket: str, start: str = "", days: int = 14) -> Any:
    first = visit_date(start) if start.strip() else None  # blank: the first bookable date
    if not 1 <= days <= MAX_CALENDAR_DAYS:  # the Data Agent's calendars are a month at most
        raise InvalidInputError("invalid_days", "too many days")
    command = GetUpgradeOptionsCommand(cast.ana, ticket, first, days)
    return options_out(cast.world.container.get_upgrade_options()(command))


def update_customer(cast: Cast, **given: str) -> Any:
    changes = {name: value for name, value in given.items() if value.strip()}  # blank: keep
    if not changes:
        raise InvalidInputError("nothing_to_change", "nothing given")
    command = UpdateCustomerCommand(cast.ana, **changes)
    return customer_out(cast.world.container.update_customer()(command))


# -- strategies ------------------------------------------------------------------------------

# Ana's first ticket is one that can usually be upgraded; the others are anything at all.
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


def weighted(*branches: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Pick a branch with the given weight, then draw from it (so that valid requests, the
    only ones that reach the writes, are common rather than rare)."""
    return st.sampled_from(
        [strategy for weight, strategy in branches for _ in range(weight)]
    ).flatmap(lambda strategy: strategy)


@st.composite
def ticket_refs(draw: st.DrawFn, cast: Cast) -> str:
    """Ana's tickets by number (any case, padded) or id, Bob's, unknown ones, and junk."""
    own = draw(st.sampled_from(cast.tickets))
    return draw(
        weighted(
            (
                5,
                st.sampled_from(
                    [own.number.value, own.number.value.lower(), f"  {own.number.value} "]
                ),
            ),
            (1, st.just(str(own.id))),
            (1, st.just(cast.bobs_ticket.number.value)),
            (1, st.integers(min_value=100, max_value=99_999_999).map(lambda n: f"TKT-{n:08d}")),
            (1, st.text(max_size=16)),
        )
    )


tiers = weighted(
    (
        6,
        st.sampled_from([tier.key for tier in Tier]).flatmap(
            lambda key: st.sampled_from([key, key.upper(), key.replace("-", "_"), f" {key} "])
        ),
    ),
    (1, st.sampled_from(["Non stop", "platinum", "", "vip"])),
    (1, st.text(max_size=10)),
)

TODAY = date(2026, 3, 10)  # tests.conftest.NOW at the park
dates = weighted(
    (5, st.integers(min_value=2, max_value=60).map(lambda n: (TODAY + timedelta(n)).isoformat())),
    (
        1,
        st.integers(min_value=-3, max_value=130).map(lambda n: (TODAY + timedelta(n)).isoformat()),
    ),
    (
        2,
        st.sampled_from(
            ["2026-03-21", "2026-03-22", "2026-02-30", "21/03/2026", "20260321", "", "null"]
        ),
    ),
    (1, st.text(max_size=12)),
)

calendar_lengths = weighted(
    (1, st.integers(min_value=1, max_value=MAX_CALENDAR_DAYS)),
    (
        1,
        st.sampled_from([-1, 0, MAX_CALENDAR_DAYS, MAX_CALENDAR_DAYS + 1, 180]),
    ),  # the use case allows 180
)

names = weighted(
    (3, st.sampled_from(["Ana Maria", "O'Neil", "Zoë"])),
    (1, st.sampled_from(["", "   ", "x" * 300, "null", "true", "[1]", '{"a": 1}'])),
    (1, st.text(max_size=20)),
)
emails = weighted(
    (2, st.sampled_from(["ana.lima@example.com", "ANA@example.com"])),
    (1, st.sampled_from(["bob@example.com", "not-an-email", "a@b", ""])),
    (2, st.emails()),
)


@st.composite
def arguments_for(draw: st.DrawFn, tool: str, cast: Cast) -> dict[str, Any]:
    if tool == "update_customer":
        fields = {"email": emails, "first_name": names, "last_name": names}
        chosen = draw(
            weighted(
                (5, st.sets(st.sampled_from(sorted(fields)), min_size=1)),
                (1, st.just(set())),
            )
        )
        return {name: draw(fields[name]) for name in sorted(chosen)}
    arguments: dict[str, Any] = {"ticket": draw(ticket_refs(cast))}
    if tool == "upgrade_options":
        if draw(st.booleans()):
            arguments["start"] = draw(dates)
        if draw(weighted((3, st.just(True)), (1, st.just(False)))):
            arguments["days"] = draw(calendar_lengths)
    if tool == "quote_upgrade":
        arguments.update(tier=draw(tiers), date=draw(dates))
    return arguments


# -- the property ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tool",
    ["get_ticket", "check_eligibility", "upgrade_options", "quote_upgrade", "update_customer"],
)
@given(specs=ticket_specs, data=st.data())
def test_the_data_agent_validates_and_writes_exactly_as_the_use_cases_do(
    tool: str, specs: list[TicketSpec], data: st.DataObject
) -> None:
    """Feature: ticket-auto-process, Property 2: For any data operation request, the Data Agent should use LLM reasoning to perform correct validation and data manipulation operations

    For any structured tool call (ticket references, tiers, dates, calendar lengths, customer
    details, valid or not), the Data Agent's answer is the use case's answer and its refusal
    the use case's code, and the store ends exactly as the use case leaves it; a refusal
    writes nothing. (The LLM reasoning of the property, the natural-language tool that turns
    an instruction into these calls, comes with the reasoner; this checks the calls it makes.)
    """  # noqa: E501
    asked, oracle = build(specs), build(specs)
    arguments = data.draw(arguments_for(tool, asked))
    before = store_fingerprint(asked.world)

    outcome = asyncio.run(through_the_data_agent(asked, tool, arguments))
    expected = directly(oracle, tool, arguments)

    assert outcome == expected
    assert store_fingerprint(asked.world) == store_fingerprint(oracle.world)
    if outcome[0] == "refused":
        assert store_fingerprint(asked.world) == before
