"""The Data Agent's natural-language tool, `data_request`, over real HTTP: uvicorn on a port, the
MCP SDK's client, the customer's bearer token.

With the rule-based reasoner (the local build's): an instruction becomes exactly the structured
calls it means, made for the token's customer, and the answer is in plain words; a refused
call is listed with its code and explained; someone else's ticket is not found; vague words
change nothing, and account changes need the caller's explicit leave. With the Bedrock
reasoner on a stubbed Converse client: the model's `toolUse` is run, its result goes back to
the model, and the model's last word is the answer; a tool the model was not offered is
refused and never run; a model that cannot answer makes the tool fail with
`reasoning_unavailable`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import httpx2
import pytest
from botocore.stub import Stubber
from dependency_injector import providers
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from adapters.reasoning.bedrock_converse import BedrockConverseReasoner
from domain.ids import CustomerId, OrderId
from domain.orders import OrderStatus
from domain.tickets import Ticket, TicketStatus
from domain.tiers import Tier
from entrypoints.mcp.server import create_data_agent, data_agent_app
from infra.container import Container
from infra.settings import Settings
from tests.builders import World
from tests.conftest import make_settings
from tests.support.live_http import uvicorn_in_thread
from tests.support.payments import ONE_TRY, charge_left_unconfirmed

pytestmark = pytest.mark.anyio

SATURDAY = date(2026, 3, 21)  # "next Saturday" on Tuesday 10 March 2026 (tests.conftest.NOW)
READS_AND_QUOTES = {
    "find_customer",
    "list_tickets",
    "get_ticket",
    "check_eligibility",
    "upgrade_options",
    "quote_upgrade",
    "order_status",
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, **ONE_TRY)  # a lost charge answer is not retried


@pytest.fixture
def data_agent_url(container: Container) -> Iterator[str]:
    with uvicorn_in_thread(data_agent_app(container), path="/health") as port:
        yield f"http://127.0.0.1:{port}/mcp"


@pytest.fixture
def ana(world: World) -> CustomerId:
    return world.customer("ana@example.com", "Ana", "Lima")


@pytest.fixture
def bob(world: World) -> CustomerId:
    return world.customer("bob@example.com", "Bob", "Stone")


@pytest.fixture
def anas_ticket(world: World, ana: CustomerId) -> Ticket:
    """General admission for Friday 20 March 2026, paid 59.00."""
    return world.ticket(ana, visit_in=10)


@pytest.fixture
def bobs_ticket(world: World, bob: CustomerId) -> Ticket:
    return world.ticket(bob, visit_in=10)


@asynccontextmanager
async def mcp_client(url: str, token: str) -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


async def ask(url: str, token: str, instruction: str, **options: Any) -> CallToolResult:
    async with mcp_client(url, token) as client:
        return await client.call_tool("data_request", {"instruction": instruction, **options})


async def structured(url: str, token: str, tool: str, **arguments: Any) -> dict[str, Any]:
    """What the structured tool answers when called directly."""
    async with mcp_client(url, token) as client:
        result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    content: dict[str, Any] | None = result.structured_content
    assert content is not None
    return content


def outcome(result: CallToolResult) -> dict[str, Any]:
    """The data request's structured answer (the text carries the same JSON)."""
    assert not result.is_error, result.content
    content: dict[str, Any] | None = result.structured_content
    assert content is not None
    assert set(content) == {"answer", "calls", "data"}
    assert json.loads(result.content[0].text) == content  # type: ignore[union-attr]
    return content


def call(tool: str, arguments: dict[str, Any], code: str | None = None) -> dict[str, Any]:
    return {"tool": tool, "arguments": arguments, "ok": code is None, "code": code}


# -- the tool as listed ------------------------------------------------------------------------


async def test_data_request_is_listed_with_its_rules_and_shapes(
    data_agent_url: str, world: World, ana: CustomerId
) -> None:
    async with mcp_client(data_agent_url, world.token("ana@example.com")) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}

    tool = tools["data_request"]
    assert tool.input_schema["required"] == ["instruction"]
    assert tool.input_schema["properties"]["instruction"]["type"] == "string"
    flag = tool.input_schema["properties"]["allow_account_changes"]
    assert (flag["type"], flag["default"]) == ("boolean", False)
    assert tool.output_schema is not None
    assert set(tool.output_schema["properties"]) == {"answer", "calls", "data"}
    assert tool.description is not None
    for rule in ("never records a payment", "allow_account_changes", "reasoning_unavailable"):
        assert rule in tool.description


# -- the rule-based reasoner (the local build's) -----------------------------------------------


async def test_list_my_tickets_calls_list_tickets_and_answers_with_them(
    data_agent_url: str, world: World, ana: CustomerId, anas_ticket: Ticket, bobs_ticket: Ticket
) -> None:
    token = world.token("ana@example.com")

    result = outcome(await ask(data_agent_url, token, "Could you list my tickets?"))

    assert result["calls"] == [call("list_tickets", {})]
    assert result["data"] == await structured(data_agent_url, token, "list_tickets")
    assert anas_ticket.number.value in result["answer"]
    assert bobs_ticket.number.value not in json.dumps(result)


async def test_the_price_of_an_upgrade_is_read_from_the_calendar_and_holds_nothing(
    data_agent_url: str, world: World, ana: CustomerId, anas_ticket: Ticket
) -> None:
    token = world.token("ana@example.com")
    number = anas_ticket.number.value

    result = outcome(
        await ask(
            data_agent_url,
            token,
            f"What does it cost to upgrade {number.lower()} to double fun on March 21?",
        )
    )

    arguments = {"ticket": number, "start": "2026-03-21", "days": 1}
    assert result["calls"] == [call("upgrade_options", arguments)]
    assert result["data"] == await structured(data_agent_url, token, "upgrade_options", **arguments)
    # A Saturday (x1.25): Double Fun 149.00 -> 186.25, less the 59.00 paid.
    assert result["data"]["calendar"][0]["tiers"]["double-fun"]["amount_due"] == "127.25"
    assert "$127.25" in result["answer"]
    assert world.container.list_my_orders()(ana) == []


async def test_hold_non_stop_quotes_the_upgrade_and_the_order_exists(
    data_agent_url: str, world: World, ana: CustomerId, anas_ticket: Ticket
) -> None:
    number = anas_ticket.number.value

    result = outcome(
        await ask(
            data_agent_url,
            world.token("ana@example.com"),
            f"hold non-stop for {number} on 21 March",
        )
    )

    assert result["calls"] == [
        call("quote_upgrade", {"ticket": number, "tier": "non-stop", "date": "2026-03-21"})
    ]
    [order] = world.container.list_my_orders()(ana)
    assert result["data"]["id"] == str(order.id)
    assert (result["data"]["status"], result["data"]["amount_due"]) == ("pending", "77.25")
    assert (order.order.tier, order.order.day) == (Tier.NON_STOP, SATURDAY)
    assert str(order.id) in result["answer"]
    assert "$77.25" in result["answer"]


async def test_an_ineligible_ticket_is_refused_in_plain_words_with_the_code_in_calls(
    data_agent_url: str, world: World, ana: CustomerId
) -> None:
    used = world.ticket(ana, status=TicketStatus.USED)

    result = outcome(
        await ask(
            data_agent_url,
            world.token("ana@example.com"),
            f"Please hold Non-stop for {used.number.value} next Saturday.",
        )
    )

    [made] = result["calls"]
    assert (made["tool"], made["ok"], made["code"]) == ("quote_upgrade", False, "ticket_not_active")
    assert result["data"] is None
    assert result["answer"].startswith("Sorry, ")
    assert "cannot be upgraded" in result["answer"]
    assert "ticket_not_active" not in result["answer"]  # words, not codes
    assert world.container.list_my_orders()(ana) == []


async def test_another_customers_ticket_is_not_found(
    data_agent_url: str,
    world: World,
    ana: CustomerId,
    anas_ticket: Ticket,
    bobs_ticket: Ticket,
) -> None:
    number = bobs_ticket.number.value
    token = world.token("ana@example.com")

    held = outcome(await ask(data_agent_url, token, f"hold double fun for {number} next Saturday"))
    read = outcome(await ask(data_agent_url, token, f"is {number} eligible for an upgrade?"))

    assert held["calls"] == [
        call(
            "quote_upgrade",
            {"ticket": number, "tier": "double-fun", "date": "2026-03-21"},
            "ticket_not_found",
        )
    ]
    assert read["calls"] == [call("check_eligibility", {"ticket": number}, "ticket_not_found")]
    for result in (held, read):
        assert result["data"] is None
        assert "could not find that ticket" in result["answer"]
    assert world.container.list_my_orders()(bobs_ticket.customer_id) == []


async def test_vague_words_about_an_email_change_nothing(
    data_agent_url: str, world: World, ana: CustomerId
) -> None:
    token = world.token("ana@example.com")

    for allowed in (False, True):
        result = outcome(
            await ask(data_agent_url, token, "change my email", allow_account_changes=allowed)
        )

        assert result["calls"] == []
        assert result["data"] is None
        assert "What would you like to change?" in result["answer"]
    assert world.container.get_customer()(ana).customer.email.value == "ana@example.com"


async def test_an_account_change_needs_the_callers_explicit_leave(
    data_agent_url: str, world: World, ana: CustomerId
) -> None:
    token = world.token("ana@example.com")
    instruction = "Please change my email to ana.lima@example.com"

    refused = outcome(await ask(data_agent_url, token, instruction))
    unchanged = world.container.get_customer()(ana).customer.email.value
    allowed = outcome(await ask(data_agent_url, token, instruction, allow_account_changes=True))

    assert refused["calls"] == []
    assert "cannot change your account" in refused["answer"]
    assert unchanged == "ana@example.com"
    assert allowed["calls"] == [call("update_customer", {"email": "ana.lima@example.com"})]
    assert allowed["data"]["email"] == "ana.lima@example.com"
    assert world.container.get_customer()(ana).customer.email.value == "ana.lima@example.com"


async def test_an_empty_instruction_is_a_tool_error_with_its_code(
    data_agent_url: str, world: World, ana: CustomerId
) -> None:
    result = await ask(data_agent_url, world.token("ana@example.com"), "   ")

    assert result.is_error
    assert result.structured_content is not None
    assert result.structured_content["code"] == "empty_instruction"


async def test_served_without_the_bearer_guard_data_request_acts_for_no_one(
    container: Container, world: World, ana: CustomerId, anas_ticket: Ticket
) -> None:
    number = anas_ticket.number.value
    async with Client(create_data_agent(container)) as in_process:
        result = await in_process.call_tool(
            "data_request", {"instruction": f"hold non-stop for {number} next Saturday"}
        )

    assert result.is_error
    assert result.structured_content is not None
    assert result.structured_content["code"] == "unauthorized"
    assert world.container.list_my_orders()(ana) == []


# -- the Bedrock reasoner, on a stubbed Converse client ----------------------------------------


def converse_response(content: list[dict[str, Any]], stop_reason: str) -> dict[str, Any]:
    """A Converse response as Bedrock sends it (usage and metrics included)."""
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop_reason,
        "usage": {"inputTokens": 1402, "outputTokens": 88, "totalTokens": 1490},
        "metrics": {"latencyMs": 1210},
    }


def tool_use(tool_use_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return converse_response(
        [
            {"text": "<thinking>The customer wants this.</thinking>"},
            {"toolUse": {"toolUseId": tool_use_id, "name": name, "input": arguments}},
        ],
        "tool_use",
    )


def final(text: str) -> dict[str, Any]:
    return converse_response([{"text": text}], "end_turn")


@dataclass
class Model:
    """A real `bedrock-runtime` client behind Stubber, and every Converse request it got."""

    stubber: Stubber
    requests: list[dict[str, Any]]

    def tool_results(self, request: int) -> list[dict[str, Any]]:
        """The tool results the `request`-th Converse request fed back to the model."""
        last = self.requests[request]["messages"][-1]
        assert last["role"] == "user"
        return [block["toolResult"] for block in last["content"] if "toolResult" in block]

    def offered(self, request: int = 0) -> set[str]:
        tools = self.requests[request]["toolConfig"]["tools"]
        return {tool["toolSpec"]["name"] for tool in tools}


@pytest.fixture
def model(container: Container) -> Iterator[Model]:
    client = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    requests: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        requests.append(copy.deepcopy(params))

    client.meta.events.register("provide-client-params.bedrock-runtime.Converse", record)
    container.reasoner.override(providers.Object(BedrockConverseReasoner(client)))
    try:
        with Stubber(client) as stubber:
            yield Model(stubber, requests)
            stubber.assert_no_pending_responses()
    finally:
        container.reasoner.reset_override()


async def test_the_models_tool_use_is_run_and_its_result_fed_back_before_the_answer(
    data_agent_url: str, model: Model, world: World, ana: CustomerId, anas_ticket: Ticket
) -> None:
    number = anas_ticket.number.value
    wanted = {"ticket": number, "tier": "non-stop", "date": "2026-03-21"}
    model.stubber.add_response("converse", tool_use("tooluse_q1", "quote_upgrade", wanted))
    model.stubber.add_response(
        "converse", final(f"Non-stop is held for {number} on Saturday 21 March: $77.25 to pay.")
    )

    result = outcome(
        await ask(
            data_agent_url, world.token("ana@example.com"), f"Hold Non-stop for {number} Sat."
        )
    )

    [order] = world.container.list_my_orders()(ana)
    assert result["calls"] == [call("quote_upgrade", wanted)]
    assert result["data"]["id"] == str(order.id)
    assert result["answer"] == f"Non-stop is held for {number} on Saturday 21 March: $77.25 to pay."
    first, second = model.requests
    assert first["messages"] == [
        {"role": "user", "content": [{"text": f"Hold Non-stop for {number} Sat."}]}
    ]
    assert "today is 2026-03-10" in first["system"][0]["text"]
    assert model.offered() == READS_AND_QUOTES  # no payments, no account changes
    [fed_back] = model.tool_results(1)
    assert (fed_back["toolUseId"], fed_back["status"]) == ("tooluse_q1", "success")
    assert fed_back["content"] == [{"json": result["data"]}]
    assert second["messages"][1]["content"][-1]["toolUse"]["name"] == "quote_upgrade"


async def test_a_refusal_goes_back_to_the_model_with_its_code_and_is_listed(
    data_agent_url: str,
    model: Model,
    world: World,
    ana: CustomerId,
    bobs_ticket: Ticket,
) -> None:
    number = bobs_ticket.number.value
    wanted = {"ticket": number, "tier": "double-fun", "date": "2026-03-21"}
    model.stubber.add_response("converse", tool_use("tooluse_b1", "quote_upgrade", wanted))
    model.stubber.add_response("converse", final(f"I could not find {number} on your account."))

    result = outcome(
        await ask(data_agent_url, world.token("ana@example.com"), f"Double Fun for {number}")
    )

    assert result["calls"] == [call("quote_upgrade", wanted, "ticket_not_found")]
    assert result["data"] is None
    assert result["answer"] == f"I could not find {number} on your account."
    [fed_back] = model.tool_results(1)
    assert fed_back["status"] == "error"
    assert fed_back["content"][0]["json"]["code"] == "ticket_not_found"
    assert world.container.list_my_orders()(bobs_ticket.customer_id) == []


async def test_a_write_the_model_was_not_offered_is_refused_and_never_run(
    data_agent_url: str, model: Model, world: World, ana: CustomerId, anas_ticket: Ticket
) -> None:
    order = world.quote(ana, anas_ticket, Tier.NON_STOP, SATURDAY)
    charge = charge_left_unconfirmed(world, ana, order.id)
    payment = {"order_id": str(order.id), "charge_id": charge.id}
    change = {"email": "mallory@example.com"}
    model.stubber.add_response("converse", tool_use("tooluse_p1", "record_payment", payment))
    model.stubber.add_response("converse", tool_use("tooluse_u1", "update_customer", change))
    model.stubber.add_response("converse", final("I cannot record payments or change details."))

    result = outcome(
        await ask(data_agent_url, world.token("ana@example.com"), "I paid, sort my account out")
    )

    assert result["calls"] == [
        call("record_payment", payment, "tool_not_offered"),
        call("update_customer", change, "tool_not_offered"),
    ]
    assert [fed["status"] for fed in model.tool_results(1) + model.tool_results(2)] == [
        "error",
        "error",
    ]
    assert world.container.get_order()(ana, OrderId(order.id)).status is OrderStatus.PROCESSING
    assert world.container.get_customer()(ana).customer.email.value == "ana@example.com"


async def test_with_leave_the_model_may_change_the_account_it_is_told_to(
    data_agent_url: str, model: Model, world: World, ana: CustomerId
) -> None:
    change = {"last_name": "Lima Souza"}
    model.stubber.add_response("converse", tool_use("tooluse_u2", "update_customer", change))
    model.stubber.add_response("converse", final("Your last name is now Lima Souza."))

    result = outcome(
        await ask(
            data_agent_url,
            world.token("ana@example.com"),
            "My last name is Lima Souza now",
            allow_account_changes=True,
        )
    )

    assert model.offered() == READS_AND_QUOTES | {"update_customer"}
    assert result["calls"] == [call("update_customer", change)]
    assert world.container.get_customer()(ana).customer.last_name == "Lima Souza"


async def test_a_model_that_cannot_answer_fails_the_tool_with_reasoning_unavailable(
    data_agent_url: str, model: Model, world: World, ana: CustomerId, anas_ticket: Ticket
) -> None:
    model.stubber.add_client_error(
        "converse", service_error_code="ThrottlingException", http_status_code=429
    )

    result = await ask(
        data_agent_url,
        world.token("ana@example.com"),
        f"hold non-stop for {anas_ticket.number.value} next Saturday",
    )

    assert result.is_error
    error = result.structured_content
    assert error is not None
    assert (error["code"], error["kind"]) == ("reasoning_unavailable", "unavailable")
    assert world.container.list_my_orders()(ana) == []
