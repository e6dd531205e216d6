"""The Data Agent over real HTTP: uvicorn on a port, a real MCP client (the SDK's, and the
Ticket Agent's adapter), bearer tokens from the local issuer.

Every tool answers with structured content; every refusal is a tool error with the domain's
code; another customer's ticket or order is "not found" exactly as the API says; a request
with no token, or a bad one, is refused with HTTP 401 before any tool runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar.testing import TestClient
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult

from adapters.clock import FixedClock
from adapters.mcp.data_agent_client import McpDataAgentTools
from application.errors import AuthenticationError, ServiceUnavailableError
from application.ports.payments import RefundRequest
from domain.ids import CustomerId
from domain.tickets import Ticket, TicketStatus
from domain.tiers import Tier
from entrypoints.mcp.server import create_data_agent, data_agent_app
from infra.container import Container
from infra.settings import Settings
from tests.builders import World
from tests.conftest import make_settings
from tests.support.live_http import ROOT, START_TIMEOUT, free_port, uvicorn_in_thread
from tests.support.live_http import Call as HttpCall
from tests.support.live_http import call as call_http
from tests.support.payments import ONE_TRY, charge_left_unconfirmed

pytestmark = pytest.mark.anyio

SATURDAY = date(2026, 3, 21)  # Ana's Friday ticket moves here in the quotes below
TOOLS = {
    "find_customer",
    "list_tickets",
    "get_ticket",
    "check_eligibility",
    "upgrade_options",
    "quote_upgrade",
    "order_status",
    "record_payment",
    "update_customer",
    "data_request",  # the natural-language tool (tests/e2e/test_data_agent_nl_tool.py)
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def app_settings(tmp_path: Path, signing_pem: str) -> Settings:
    """Payments tried once (an unconfirmed charge without retries) and one Double Fun place
    on Saturday (to sell it out)."""
    return make_settings(
        tmp_path,
        token_signing_key=signing_pem,
        capacity_overrides={f"{SATURDAY}:double-fun": 1},
        **ONE_TRY,
    )


# -- the served Data Agent ---------------------------------------------------------------------


@dataclass
class Traffic:
    """What reached the Data Agent: requests by MCP method, the client connections they came
    on, and the HTTP statuses it answered."""

    methods: Counter[str] = field(default_factory=Counter)
    connections: set[tuple[str, int]] = field(default_factory=set)
    statuses: list[int] = field(default_factory=list)

    def watch(self, app: Any) -> Any:
        async def watched(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"] == "/mcp":
                headers = dict(scope["headers"])
                self.methods[headers.get(b"mcp-method", b"?").decode()] += 1
                self.connections.add(tuple(scope["client"]))

                async def sending(message: Any) -> None:
                    if message["type"] == "http.response.start":
                        self.statuses.append(message["status"])
                    await send(message)

                return await app(scope, receive, sending)
            return await app(scope, receive, send)

        return watched


@dataclass
class DataAgent:
    url: str
    port: int
    traffic: Traffic


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def data_agent(container: Container, traffic: Traffic) -> Iterator[DataAgent]:
    app = traffic.watch(data_agent_app(container))
    with uvicorn_in_thread(app, path="/health") as port:
        yield DataAgent(f"http://127.0.0.1:{port}/mcp", port, traffic)


@pytest.fixture
def ana(world: World) -> CustomerId:
    return world.customer("ana@example.com", "Ana", "Lima")


@pytest.fixture
def bob(world: World) -> CustomerId:
    return world.customer("bob@example.com", "Bob", "Stone")


@pytest.fixture
def anas_ticket(world: World, ana: CustomerId) -> Ticket:
    """General, Friday 20 March 2026 (59.00)."""
    return world.ticket(ana, visit_in=10)


@pytest.fixture
def bobs_ticket(world: World, bob: CustomerId) -> Ticket:
    return world.ticket(bob, visit_in=10)


@asynccontextmanager
async def mcp_client(url: str, token: str | None) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


async def call(data_agent: DataAgent, token: str, tool: str, **arguments: Any) -> CallToolResult:
    async with mcp_client(data_agent.url, token) as client:
        return await client.call_tool(tool, arguments)


def answer(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    # The text carries the same JSON, for clients that read only text.
    assert json.loads(result.content[0].text) == result.structured_content  # type: ignore[union-attr]
    return result.structured_content


def refusal(result: CallToolResult) -> dict[str, Any]:
    assert result.is_error
    error = result.structured_content
    assert error is not None
    assert set(error) >= {"code", "message", "guidance", "kind"}
    assert result.content[0].text.startswith(f"{error['code']}: ")  # type: ignore[union-attr]
    return error


# -- listing -----------------------------------------------------------------------------------


async def test_the_data_agent_lists_its_tools_with_input_and_output_schemas(
    data_agent: DataAgent, world: World, ana: CustomerId
) -> None:
    async with mcp_client(data_agent.url, world.token("ana@example.com")) as client:
        listing = await client.list_tools()

    tools = {tool.name: tool for tool in listing.tools}
    assert set(tools) == TOOLS
    quote = tools["quote_upgrade"].input_schema
    assert sorted(quote["required"]) == ["date", "ticket", "tier"]
    assert {quote["properties"][name]["type"] for name in ("ticket", "tier", "date")} == {"string"}
    calendar = tools["upgrade_options"].input_schema
    assert calendar["required"] == ["ticket"]
    assert calendar["properties"]["days"]["type"] == "integer"
    assert tools["find_customer"].input_schema.get("required", []) == []
    for tool in tools.values():
        assert tool.description
        assert tool.output_schema is not None
        assert tool.output_schema["type"] == "object"
    assert set(tools["quote_upgrade"].output_schema["properties"]) >= {  # type: ignore[index]
        "id",
        "status",
        "amount_due",
        "expires_at",
    }


# -- each tool, answering --------------------------------------------------------------------


async def test_find_customer_and_list_tickets_answer_for_the_tokens_customer(
    data_agent: DataAgent, world: World, ana: CustomerId, anas_ticket: Ticket, bobs_ticket: Ticket
) -> None:
    token = world.token("ana@example.com")
    async with mcp_client(data_agent.url, token) as client:
        me = answer(await client.call_tool("find_customer", {}))
        mine = answer(await client.call_tool("list_tickets", {}))

    assert me == {
        "id": str(ana),
        "email": "ana@example.com",
        "first_name": "Ana",
        "last_name": "Lima",
    }
    [ticket] = mine["tickets"]
    assert ticket["number"] == anas_ticket.number.value
    assert (ticket["tier"], ticket["visit_date"], ticket["price_paid"]) == (
        "general",
        "2026-03-20",
        "59.00",
    )
    assert ticket["eligibility"]["eligible"] is True


async def test_a_ticket_and_its_eligibility_by_number_in_any_case_or_by_id(
    data_agent: DataAgent, world: World, anas_ticket: Ticket
) -> None:
    async with mcp_client(data_agent.url, world.token("ana@example.com")) as client:
        by_number = answer(
            await client.call_tool("get_ticket", {"ticket": anas_ticket.number.value.lower()})
        )
        by_id = answer(await client.call_tool("get_ticket", {"ticket": str(anas_ticket.id)}))
        verdict = answer(
            await client.call_tool("check_eligibility", {"ticket": anas_ticket.number.value})
        )

    assert by_number == by_id
    assert by_number["id"] == str(anas_ticket.id)
    assert verdict["eligible"] is True
    assert verdict["code"] is None


async def test_an_ineligible_tickets_eligibility_names_the_rule_it_breaks(
    data_agent: DataAgent, world: World, ana: CustomerId
) -> None:
    used = world.ticket(ana, status=TicketStatus.USED)

    result = await call(
        data_agent, world.token("ana@example.com"), "check_eligibility", ticket=used.number.value
    )

    verdict = answer(result)
    assert (verdict["eligible"], verdict["code"]) == (False, "ticket_not_active")


async def test_upgrade_options_price_each_tier_on_each_date_asked_for(
    data_agent: DataAgent, world: World, anas_ticket: Ticket
) -> None:
    result = await call(
        data_agent,
        world.token("ana@example.com"),
        "upgrade_options",
        ticket=anas_ticket.number.value,
        start="2026-03-20",
        days=3,
    )

    options = answer(result)
    assert [tier["key"] for tier in options["tiers"]] == ["standard", "non-stop", "double-fun"]
    assert [day["date"] for day in options["calendar"]] == [
        "2026-03-20",
        "2026-03-21",
        "2026-03-22",
    ]
    saturday = options["calendar"][1]["tiers"]
    assert saturday["non-stop"]["amount_due"] == "77.25"
    assert saturday["non-stop"]["available"] is True
    assert saturday["double-fun"]["remaining"] == 1
    assert options["ticket"]["number"] == anas_ticket.number.value


async def test_a_quote_holds_a_place_and_its_order_status_reads_back(
    data_agent: DataAgent, world: World, ana: CustomerId, anas_ticket: Ticket
) -> None:
    token = world.token("ana@example.com")
    async with mcp_client(data_agent.url, token) as client:
        quote = answer(
            await client.call_tool(
                "quote_upgrade",
                {"ticket": anas_ticket.number.value, "tier": "Non-stop", "date": "2026-03-21"},
            )
        )
        status = answer(await client.call_tool("order_status", {"order_id": quote["id"]}))

    assert quote["status"] == "pending"
    assert (quote["tier"], quote["date"], quote["amount_due"]) == (
        "non-stop",
        "2026-03-21",
        "77.25",
    )
    assert status == quote
    [order] = world.container.list_my_orders()(ana)
    assert str(order.id) == quote["id"]


async def test_update_customer_changes_only_what_is_given(
    data_agent: DataAgent, world: World, ana: CustomerId
) -> None:
    result = await call(
        data_agent, world.token("ana@example.com"), "update_customer", first_name="Ana Maria"
    )

    assert answer(result)["first_name"] == "Ana Maria"
    stored = world.container.get_customer()(ana).customer
    assert (stored.first_name, stored.last_name, stored.email.value) == (
        "Ana Maria",
        "Lima",
        "ana@example.com",
    )


async def test_a_name_that_reads_as_json_is_kept_as_written(
    data_agent: DataAgent, world: World, ana: CustomerId
) -> None:
    result = await call(
        data_agent, world.token("ana@example.com"), "update_customer", last_name="null"
    )

    assert answer(result)["last_name"] == "null"
    assert world.container.get_customer()(ana).customer.last_name == "null"


async def test_an_invalid_update_writes_nothing(
    data_agent: DataAgent, world: World, ana: CustomerId
) -> None:
    result = await call(
        data_agent,
        world.token("ana@example.com"),
        "update_customer",
        first_name="Anabel",
        email="not-an-email",
    )

    assert refusal(result)["code"] == "invalid_email"
    assert world.container.get_customer()(ana).customer.first_name == "Ana"


# -- refusals as tool errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "arguments", "code"),
    [
        ("get_ticket", {"ticket": "TKT-99999999"}, "ticket_not_found"),
        ("get_ticket", {"ticket": "my ticket"}, "invalid_ticket_reference"),
        ("quote_upgrade", {"tier": "platinum", "date": "2026-03-21"}, "invalid_tier"),
        ("quote_upgrade", {"tier": "non-stop", "date": "21/03/2026"}, "invalid_date"),
        ("quote_upgrade", {"tier": "non-stop", "date": "2026-02-30"}, "invalid_date"),
        ("quote_upgrade", {"tier": "non-stop", "date": "20260321"}, "invalid_date"),
        ("quote_upgrade", {"tier": "non-stop", "date": "2026-03-11"}, "date_out_of_window"),
        ("quote_upgrade", {"tier": "general", "date": "2026-03-21"}, "tier_not_higher"),
        ("upgrade_options", {"days": 0}, "invalid_days"),
        ("upgrade_options", {"days": 32}, "invalid_days"),
        ("upgrade_options", {"start": "next week"}, "invalid_date"),
        ("order_status", {"order_id": "order-1"}, "invalid_order_id"),
        ("order_status", {"order_id": "5b0c8f0e-8a7e-4e36-9d49-5b1c3a1e0f00"}, "order_not_found"),
        ("update_customer", {}, "nothing_to_change"),
        ("update_customer", {"email": "", "first_name": "  "}, "nothing_to_change"),
    ],
)
async def test_a_refusal_is_a_tool_error_with_the_domains_code(
    data_agent: DataAgent,
    world: World,
    anas_ticket: Ticket,
    tool: str,
    arguments: dict[str, Any],
    code: str,
) -> None:
    if tool in ("quote_upgrade", "upgrade_options"):
        arguments = {"ticket": anas_ticket.number.value, **arguments}

    result = await call(data_agent, world.token("ana@example.com"), tool, **arguments)

    assert refusal(result)["code"] == code
    assert world.container.list_my_orders()(anas_ticket.customer_id) == []


async def test_an_ineligible_ticket_cannot_be_quoted(
    data_agent: DataAgent, world: World, ana: CustomerId
) -> None:
    top = world.ticket(ana, tier=Tier.DOUBLE_FUN)

    result = await call(
        data_agent,
        world.token("ana@example.com"),
        "quote_upgrade",
        ticket=top.number.value,
        tier="double-fun",
        date="2026-03-21",
    )

    error = refusal(result)
    assert (error["code"], error["kind"]) == ("already_top_tier", "business_rule")


async def test_a_sold_out_date_cannot_be_quoted(
    data_agent: DataAgent, world: World, ana: CustomerId, bob: CustomerId, anas_ticket: Ticket
) -> None:
    world.quote(bob, world.ticket(bob), Tier.DOUBLE_FUN, SATURDAY)  # the one place, held

    result = await call(
        data_agent,
        world.token("ana@example.com"),
        "quote_upgrade",
        ticket=anas_ticket.number.value,
        tier="double-fun",
        date=SATURDAY.isoformat(),
    )

    assert refusal(result)["code"] == "sold_out"
    assert world.container.list_my_orders()(ana) == []


# -- another customer's data -----------------------------------------------------------------


async def test_another_customers_ticket_is_not_found_exactly_as_the_api_says(
    data_agent: DataAgent,
    world: World,
    ana: CustomerId,
    bobs_ticket: Ticket,
    client: TestClient[Any],
) -> None:
    token = world.token("ana@example.com")
    number = bobs_ticket.number.value
    async with mcp_client(data_agent.url, token) as mcp:
        read = refusal(await mcp.call_tool("get_ticket", {"ticket": number}))
        verdict = refusal(await mcp.call_tool("check_eligibility", {"ticket": number}))
        calendar = refusal(await mcp.call_tool("upgrade_options", {"ticket": number}))
        quote = refusal(
            await mcp.call_tool(
                "quote_upgrade", {"ticket": number, "tier": "non-stop", "date": "2026-03-21"}
            )
        )
    api = client.get(f"/api/tickets/{number}", headers={"Authorization": f"Bearer {token}"})

    assert api.status_code == 404
    for error in (read, verdict, calendar, quote):
        assert (error["code"], error["message"]) == (api.json()["code"], api.json()["detail"])
        assert error["kind"] == "not_found"
    assert world.container.list_my_orders()(bobs_ticket.customer_id) == []


async def test_another_customers_order_is_not_found_and_cannot_be_paid(
    data_agent: DataAgent, world: World, ana: CustomerId, bob: CustomerId, bobs_ticket: Ticket
) -> None:
    order = world.quote(bob, bobs_ticket, Tier.NON_STOP, SATURDAY)
    charge = charge_left_unconfirmed(world, bob, order.id)
    async with mcp_client(data_agent.url, world.token("ana@example.com")) as mcp:
        read = refusal(await mcp.call_tool("order_status", {"order_id": str(order.id)}))
        paid = refusal(
            await mcp.call_tool(
                "record_payment", {"order_id": str(order.id), "charge_id": charge.id}
            )
        )

    assert read["code"] == paid["code"] == "order_not_found"
    assert world.container.get_order()(bob, order.id).status.value == "processing"


# -- the bearer guard --------------------------------------------------------------------------


def tools_call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A plain JSON-RPC tools/call, as curl would send it (stateless: no handshake needed)."""
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }


def forged_token(world: World, email: str) -> str:
    """The customer's own claims and key id, signed with a key that is not ours."""
    genuine = world.token(email)
    claims = jwt.decode(genuine, options={"verify_signature": False})
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = jwt.get_unverified_header(genuine)["kid"]
    return jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": kid})


@pytest.mark.parametrize("credentials", ["none", "forged", "expired", "garbage"])
async def test_a_request_without_a_valid_token_is_refused_before_any_tool_runs(
    data_agent: DataAgent, world: World, ana: CustomerId, clock: FixedClock, credentials: str
) -> None:
    headers = {"Accept": "application/json, text/event-stream"}
    if credentials == "forged":
        headers["Authorization"] = f"Bearer {forged_token(world, 'ana@example.com')}"
    elif credentials == "expired":
        headers["Authorization"] = f"Bearer {world.token('ana@example.com')}"
        clock.advance(timedelta(hours=2))
    elif credentials == "garbage":
        headers["Authorization"] = "Bearer not.a.token"

    async with httpx2.AsyncClient() as http:
        response = await http.post(
            data_agent.url,
            json=tools_call("update_customer", {"first_name": "Mallory"}),
            headers=headers,
        )

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert world.container.get_customer()(ana).customer.first_name == "Ana"


async def test_an_mcp_client_with_a_forged_token_cannot_even_connect(
    data_agent: DataAgent, world: World, ana: CustomerId
) -> None:
    with pytest.raises(ExceptionGroup) as refused:
        async with mcp_client(data_agent.url, forged_token(world, "ana@example.com")):
            pass

    assert refused.group_contains(MCPError, match="error response")
    # server/discover, then the legacy initialize it falls back to: both refused.
    assert data_agent.traffic.statuses == [401, 401]


def healthy(port: int) -> bool:
    try:
        return call_http(port, HttpCall("GET", "/health"), timeout=2).status == 200
    except OSError:
        return False


def test_tap_data_agent_serves_the_mcp_endpoint_behind_the_bearer_guard(tmp_path: Path) -> None:
    """`tap data-agent` in its own process, as the deployment runs it."""
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("TAP_")}
    env |= {"TAP_DEMO_DATA": "false", "TAP_LOG_LEVEL": "WARNING", "TAP_MAIL_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "entrypoints.cli", "data-agent", "--host", "127.0.0.1"]
    with (tmp_path / "data-agent.log").open("wb") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not healthy(port):
                assert process.poll() is None, (tmp_path / "data-agent.log").read_text()
                assert time.monotonic() < deadline, "tap data-agent did not start"
                time.sleep(0.05)
            unauthorized = call_http(
                port, HttpCall("POST", "/mcp", tools_call("find_customer", {}))
            )
        finally:
            process.terminate()
            process.wait(timeout=15)

    assert unauthorized.status == 401


async def test_served_without_the_bearer_guard_no_tool_acts_for_anyone(
    container: Container, world: World, ana: CustomerId
) -> None:
    async with Client(create_data_agent(container)) as in_process:
        result = await in_process.call_tool("update_customer", {"first_name": "Mallory"})

    assert refusal(result)["code"] == "unauthorized"
    assert world.container.get_customer()(ana).customer.first_name == "Ana"


async def test_health_needs_no_token(data_agent: DataAgent) -> None:
    async with httpx2.AsyncClient() as http:
        response = await http.get(f"http://127.0.0.1:{data_agent.port}/health")

    assert (response.status_code, response.json()["status"]) == (200, "ok")


# -- record_payment: only the gateway's word counts --------------------------------------------


async def test_record_payment_confirms_an_order_with_its_real_charge(
    data_agent: DataAgent, world: World, ana: CustomerId, anas_ticket: Ticket
) -> None:
    order = world.quote(ana, anas_ticket, Tier.NON_STOP, SATURDAY)
    charge = charge_left_unconfirmed(world, ana, order.id)

    result = await call(
        data_agent,
        world.token("ana@example.com"),
        "record_payment",
        order_id=str(order.id),
        charge_id=charge.id,
    )

    paid = answer(result)
    assert paid["status"] == "confirmed"
    assert paid["confirmation_code"]
    assert paid["payment"] == {"brand": "visa", "last4": "4242"}
    assert world.stored_ticket(anas_ticket.id).tier is Tier.NON_STOP


@pytest.mark.parametrize("which", ["unknown", "another-order", "refunded"])
async def test_record_payment_refuses_a_charge_the_gateway_does_not_vouch_for(
    data_agent: DataAgent,
    world: World,
    ana: CustomerId,
    bob: CustomerId,
    anas_ticket: Ticket,
    bobs_ticket: Ticket,
    which: str,
) -> None:
    order = world.quote(ana, anas_ticket, Tier.NON_STOP, SATURDAY)
    anas_charge = charge_left_unconfirmed(world, ana, order.id)
    bobs_order = world.quote(bob, bobs_ticket, Tier.NON_STOP, SATURDAY)
    bobs_charge = charge_left_unconfirmed(world, bob, bobs_order.id)
    charge_id, code = {
        "unknown": ("ch_said_to_be_paid", "charge_not_found"),
        "another-order": (bobs_charge.id, "charge_not_for_order"),
        "refunded": (anas_charge.id, "charge_refunded"),
    }[which]
    if which == "refunded":
        world.container.gateway().refund(RefundRequest("support-refund", anas_charge.id))

    result = await call(
        data_agent,
        world.token("ana@example.com"),
        "record_payment",
        order_id=str(order.id),
        charge_id=charge_id,
    )

    assert refusal(result)["code"] == code
    assert world.container.get_order()(ana, order.id).status.value == "processing"
    assert world.stored_ticket(anas_ticket.id).tier is Tier.GENERAL


# -- the Ticket Agent's adapter ----------------------------------------------------------------


@pytest.fixture
def tools(data_agent: DataAgent) -> Iterator[McpDataAgentTools]:
    adapter = McpDataAgentTools(data_agent.url, timeout=10)
    yield adapter
    adapter.close()


def test_the_adapter_keeps_one_session_on_one_connection_for_many_calls(
    tools: McpDataAgentTools, data_agent: DataAgent, world: World, anas_ticket: Ticket
) -> None:
    token = world.token("ana@example.com")
    ref = {"ticket": anas_ticket.number.value}

    results = [tools.call(f"c{n}", "get_ticket", ref, token) for n in range(25)]

    assert all(result.content["number"] == ref["ticket"] for result in results)
    assert [result.call_id for result in results[:2]] == ["c0", "c1"]
    assert data_agent.traffic.methods["server/discover"] == 1
    assert data_agent.traffic.methods["tools/call"] == 25
    assert len(data_agent.traffic.connections) == 1


def test_one_session_carries_each_customers_own_token(
    tools: McpDataAgentTools,
    data_agent: DataAgent,
    world: World,
    anas_ticket: Ticket,
    bobs_ticket: Ticket,
) -> None:
    tokens = {"ana": world.token("ana@example.com"), "bob": world.token("bob@example.com")}
    own = {"ana": anas_ticket.number.value, "bob": bobs_ticket.number.value}
    tools.list_tools(tokens["ana"])  # the session is open before the crowd arrives
    callers = ["ana", "bob"] * 20

    def tickets_of(caller: str) -> list[str]:
        result = tools.call(caller, "list_tickets", {}, tokens[caller])
        return [ticket["number"] for ticket in result.content["tickets"]]

    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = list(pool.map(tickets_of, callers))

    assert seen == [[own[caller]] for caller in callers]
    assert data_agent.traffic.methods["server/discover"] == 1


def test_the_adapter_turns_refusals_into_error_results_with_the_code(
    tools: McpDataAgentTools, world: World, anas_ticket: Ticket, bobs_ticket: Ticket
) -> None:
    token = world.token("ana@example.com")

    foreign = tools.call("1", "get_ticket", {"ticket": bobs_ticket.number.value}, token)
    bad_date = tools.call(
        "2",
        "quote_upgrade",
        {"ticket": anas_ticket.number.value, "tier": "non-stop", "date": "soon"},
        token,
    )
    misshapen = tools.call("3", "get_ticket", {}, token)

    assert (foreign.is_error, foreign.code, foreign.call_id) == (True, "ticket_not_found", "1")
    assert foreign.content["message"] == "We could not find that ticket on your account."
    assert (bad_date.is_error, bad_date.code) == (True, "invalid_date")
    assert (misshapen.is_error, misshapen.code) == (True, "tool_error")


def test_a_token_the_data_agent_refuses_is_an_error_result_and_the_session_lives_on(
    tools: McpDataAgentTools, data_agent: DataAgent, world: World, ana: CustomerId
) -> None:
    good = world.token("ana@example.com")
    tools.list_tools(good)

    refused = tools.call("1", "find_customer", {}, forged_token(world, "ana@example.com"))
    after = tools.call("2", "find_customer", {}, good)

    assert (refused.is_error, refused.code) == (True, "invalid_token")
    assert after.content["email"] == "ana@example.com"
    assert data_agent.traffic.methods["server/discover"] == 1


def test_the_adapter_lists_the_tools_from_their_schemas(
    tools: McpDataAgentTools, world: World, ana: CustomerId
) -> None:
    specs = {spec.name: spec for spec in tools.list_tools(world.token("ana@example.com"))}

    assert set(specs) == TOOLS
    assert specs["get_ticket"].input_schema["required"] == ["ticket"]
    assert "TKT-" in specs["get_ticket"].input_schema["properties"]["ticket"]["description"]
    assert tools.list_tools() == list(specs.values())  # remembered for the open session


def test_the_first_listing_needs_a_token_like_every_request(
    tools: McpDataAgentTools, data_agent: DataAgent
) -> None:
    with pytest.raises(AuthenticationError) as refused:
        tools.list_tools()

    assert refused.value.code == "invalid_token"
    assert set(data_agent.traffic.statuses) == {401}


def test_an_unreachable_data_agent_is_unavailable_with_a_clear_message() -> None:
    url = f"http://127.0.0.1:{free_port()}/mcp"
    adapter = McpDataAgentTools(url, timeout=5)
    try:
        with pytest.raises(ServiceUnavailableError) as unavailable:
            adapter.call("1", "find_customer", {}, "any-token")
    finally:
        adapter.close()

    assert unavailable.value.code == "data_agent_unavailable"
    # Plain words for the customer; where and why are in the log, not the answer.
    assert url not in unavailable.value.message
    assert "ConnectError" not in unavailable.value.message


def test_the_adapter_reconnects_once_the_data_agent_is_back(
    container: Container, traffic: Traffic, world: World, ana: CustomerId
) -> None:
    token = world.token("ana@example.com")
    port = free_port()
    adapter = McpDataAgentTools(f"http://127.0.0.1:{port}/mcp", timeout=5)
    try:
        with uvicorn_in_thread(traffic.watch(data_agent_app(container)), "/health", port):
            assert not adapter.call("1", "find_customer", {}, token).is_error
        with pytest.raises(ServiceUnavailableError):
            adapter.call("2", "find_customer", {}, token)  # the Data Agent is down
        with uvicorn_in_thread(traffic.watch(data_agent_app(container)), "/health", port):
            back = adapter.call("3", "find_customer", {}, token)
    finally:
        adapter.close()

    assert back.content["email"] == "ana@example.com"
    assert traffic.methods["server/discover"] == 2
