"""The Ticket Agent's AgentCore runtime app over real HTTP, calling a live Data Agent.

Both are served by uvicorn on free ports of this process, over one memory-profile container
(the Data Agent's store is the test's), and the Ticket Agent's tools reach the Data Agent over
a real MCP connection. What AgentCore Runtime relies on: `GET /ping` healthy, `POST
/invocations` with `{"message", "access_token"}` answering the design's AgentResponse, the
conversation carried by the runtime session header, the token in an `Authorization` header
instead, and every refusal a JSON error with the domain's code and no stack trace. Last,
`tap ticket-agent` and `tap data-agent` as their own processes over one PostgreSQL database, as
they are deployed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.clock import FixedClock
from domain.ids import CustomerId
from domain.tickets import Ticket
from entrypoints.agentcore.ticket_agent import create_ticket_agent
from entrypoints.mcp.server import data_agent_app
from infra.container import Container, build_container
from infra.settings import Settings
from tests.builders import World
from tests.conftest import make_settings, signing_key_pem
from tests.support.live_http import (
    ROOT,
    START_TIMEOUT,
    Call,
    Reply,
    call,
    free_port,
    uvicorn_in_thread,
)
from tests.support.postgres import empty_tables

SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
SESSION_ID = re.compile(r"sess-[0-9a-f]{32}")


# -- the two agents, served ------------------------------------------------------------------


@dataclass
class McpTraffic:
    """The tool calls that reached the Data Agent, by tool name."""

    tools: list[str] = field(default_factory=list)

    def watch(self, app: Any) -> Any:
        async def watched(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"] == "/mcp":
                headers = dict(scope["headers"])
                if headers.get(b"mcp-method") == b"tools/call":
                    self.tools.append(headers.get(b"mcp-name", b"?").decode())
            await app(scope, receive, send)

        return watched


@pytest.fixture
def data_agent_port() -> int:
    return free_port()


@pytest.fixture
def app_settings(tmp_path: Path, signing_pem: str, data_agent_port: int) -> Settings:
    return make_settings(
        tmp_path,
        token_signing_key=signing_pem,
        data_agent_url=f"http://127.0.0.1:{data_agent_port}/mcp",
        data_agent_timeout_seconds=5,
    )


@pytest.fixture
def mcp_traffic() -> McpTraffic:
    return McpTraffic()


@pytest.fixture
def data_agent(
    container: Container, data_agent_port: int, mcp_traffic: McpTraffic
) -> Iterator[int]:
    """The Data Agent, live on the port the container's settings name."""
    app = mcp_traffic.watch(data_agent_app(container))
    with uvicorn_in_thread(app, "/health", data_agent_port) as port:
        yield port


@pytest.fixture
def ticket_agent(container: Container) -> Iterator[int]:
    """The Ticket Agent's runtime app on a free port (the Data Agent is not started here)."""
    try:
        with uvicorn_in_thread(create_ticket_agent(container), "/ping") as port:
            yield port
    finally:
        container.data_agent_tools().close()  # its MCP session and the loop that holds it


@pytest.fixture
def ana(world: World) -> CustomerId:
    return world.customer("ana@example.com", "Ana", "Lima")


@pytest.fixture
def anas_ticket(world: World, ana: CustomerId) -> Ticket:
    """General, Friday 20 March 2026 (59.00)."""
    return world.ticket(ana, visit_in=10)


@pytest.fixture
def token(world: World, ana: CustomerId) -> str:
    return world.token("ana@example.com")


def invoke(
    port: int, body: Any, session: str | None = None, headers: dict[str, str] | None = None
) -> Reply:
    sent = dict(headers or {})
    if session is not None:
        sent[SESSION_HEADER] = session
    return call(port, Call("POST", "/invocations", body, sent))


def agent_response(reply: Reply) -> dict[str, Any]:
    assert reply.status == 200, reply.body
    body = reply.body
    assert set(body) >= {"session_id", "response_text", "actions", "next_steps"}
    assert SESSION_ID.fullmatch(body["session_id"])
    assert isinstance(body["response_text"], str)
    assert body["response_text"].strip()
    assert isinstance(body["actions"], list)
    assert isinstance(body["next_steps"], list)
    assert 0.0 <= body["confidence_score"] <= 1.0
    return body


def error_of(reply: Reply, status: int) -> dict[str, Any]:
    """The refusal's error object, after checking its shape: JSON, code, plain words."""
    assert reply.status == status, reply.body
    assert reply.headers["content-type"].startswith("application/json")
    assert isinstance(reply.body, dict)
    assert set(reply.body) == {"error"}, reply.body
    error = reply.body["error"]
    assert set(error) == {"code", "message", "guidance"}
    assert all(isinstance(value, str) for value in error.values())
    assert error["code"]
    assert error["message"]
    assert "Traceback" not in json.dumps(reply.body)
    return error


def forged_token(world: World, email: str) -> str:
    """The customer's own claims and key id, signed with a key that is not ours."""
    genuine = world.token(email)
    claims = jwt.decode(genuine, options={"verify_signature": False})
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = jwt.get_unverified_header(genuine)["kid"]
    return jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": kid})


# -- the runtime contract ----------------------------------------------------------------------


def test_ping_is_healthy(ticket_agent: int) -> None:
    reply = call(ticket_agent, Call("GET", "/ping"))

    assert reply.status == 200
    assert reply.body["status"] == "Healthy"
    assert isinstance(reply.body["time_of_last_update"], int)


def test_a_turn_answers_from_the_customers_own_data_read_over_mcp(
    ticket_agent: int,
    data_agent: int,
    mcp_traffic: McpTraffic,
    token: str,
    anas_ticket: Ticket,
    container: Container,
    ana: CustomerId,
) -> None:
    reply = invoke(ticket_agent, {"message": "Which tickets do I have?", "access_token": token})

    answer = agent_response(reply)
    assert anas_ticket.number.value in answer["response_text"]
    assert "Friday 20 March 2026" in answer["response_text"]
    assert (answer["actions"], answer["escalated"]) == ([], False)
    assert mcp_traffic.tools == ["list_tickets"]
    # The turn is remembered under the conversation the answer names, for Ana.
    history = container.read_chat_history()(ana, answer["session_id"])
    assert len(history.events) == 1


def test_the_runtime_session_carries_the_conversation_on(
    ticket_agent: int, data_agent: int, token: str, anas_ticket: Ticket
) -> None:
    number = anas_ticket.number.value
    first = agent_response(
        invoke(ticket_agent, {"message": f"I'd like to upgrade {number}", "access_token": token})
    )

    # The ticket was named a turn ago: the price comes without asking for it again.
    second = agent_response(
        invoke(
            ticket_agent,
            {"message": "How much is Non-stop on 2026-03-21?", "access_token": token},
            session=first["session_id"],
        )
    )

    assert second["session_id"] == first["session_id"]
    assert "77.25" in second["response_text"]
    assert number in second["response_text"]


def test_a_session_id_agentcore_made_up_starts_a_new_conversation(
    ticket_agent: int, data_agent: int, token: str, anas_ticket: Ticket
) -> None:
    runtime_session = str(uuid.uuid4())  # what the runtime invents when the caller gives none

    answer = agent_response(
        invoke(ticket_agent, {"message": "Hello", "access_token": token}, session=runtime_session)
    )
    again = agent_response(
        invoke(ticket_agent, {"message": "Hello", "access_token": token}, session=runtime_session)
    )

    assert answer["session_id"] != runtime_session
    assert again["session_id"] != answer["session_id"]


def test_the_token_may_come_in_an_authorization_header(
    ticket_agent: int, data_agent: int, token: str, anas_ticket: Ticket
) -> None:
    reply = invoke(
        ticket_agent,
        {"message": "Which tickets do I have?"},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert anas_ticket.number.value in agent_response(reply)["response_text"]


# -- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("not json at all", "invalid_payload"),
        (b"\xff\xfe", "invalid_payload"),
        ([], "invalid_payload"),
        ({"access_token": "x"}, "invalid_payload"),
        ({"message": 42}, "invalid_payload"),
        ({"message": "   "}, "empty_message"),
        ({"message": "x" * 2001}, "message_too_long"),
    ],
)
def test_a_bad_payload_is_a_400_in_plain_words(
    ticket_agent: int, data_agent: int, token: str, body: Any, code: str
) -> None:
    if isinstance(body, dict):
        body = {"access_token": token, **body}
    if isinstance(body, (str, bytes)):  # sent as it is, not as JSON
        reply = raw_post(ticket_agent, body.encode() if isinstance(body, str) else body)
    else:
        reply = invoke(ticket_agent, body)

    assert error_of(reply, 400)["code"] == code


def raw_post(port: int, data: bytes) -> Reply:
    import http.client  # noqa: PLC0415 - only this helper sends raw bytes

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/invocations", body=data)
        response = connection.getresponse()
        raw = response.read()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Reply(response.status, json.loads(raw), headers)
    finally:
        connection.close()


def test_a_payload_too_large_is_refused(ticket_agent: int, token: str) -> None:
    reply = invoke(ticket_agent, {"message": "x" * 70_000, "access_token": token})

    assert error_of(reply, 413)["code"] == "payload_too_large"


@pytest.mark.parametrize("credentials", ["none", "forged", "garbage", "basic-header"])
def test_no_or_a_forged_token_is_a_401_before_any_tool_is_called(
    ticket_agent: int,
    data_agent: int,
    world: World,
    ana: CustomerId,
    mcp_traffic: McpTraffic,
    credentials: str,
) -> None:
    body: dict[str, Any] = {"message": "Which tickets do I have?"}
    headers: dict[str, str] = {}
    if credentials == "forged":
        body["access_token"] = forged_token(world, "ana@example.com")
    elif credentials == "garbage":
        body["access_token"] = "not.a.token"
    elif credentials == "basic-header":
        headers["Authorization"] = "Basic YW5hOnNlY3JldA=="

    reply = invoke(ticket_agent, body, headers=headers)

    error_of(reply, 401)
    assert mcp_traffic.tools == []


def test_another_customers_conversation_is_not_found(
    ticket_agent: int, data_agent: int, world: World, token: str, anas_ticket: Ticket
) -> None:
    world.customer("bob@example.com", "Bob", "Stone")
    bobs = agent_response(
        invoke(ticket_agent, {"message": "Hello", "access_token": world.token("bob@example.com")})
    )

    theirs = invoke(ticket_agent, {"message": "Hello", "access_token": token}, bobs["session_id"])
    nobodys = invoke(ticket_agent, {"message": "Hello", "access_token": token}, "sess-" + "a" * 32)

    assert error_of(theirs, 404)["code"] == "conversation_not_found"
    assert error_of(nobodys, 404)["code"] == "conversation_not_found"


def test_a_missing_data_agent_is_a_503_until_it_is_back(
    ticket_agent: int,
    container: Container,
    data_agent_port: int,
    token: str,
    anas_ticket: Ticket,
) -> None:
    turn = {"message": "Which tickets do I have?", "access_token": token}

    down = invoke(ticket_agent, turn)
    ping = call(ticket_agent, Call("GET", "/ping"))
    with uvicorn_in_thread(data_agent_app(container), "/health", data_agent_port):
        back = invoke(ticket_agent, turn)

    error = error_of(down, 503)
    assert error["code"] == "data_agent_unavailable"
    assert "not answering" in error["message"]  # plain words; where and why go to the log
    assert down.headers["retry-after"].isdigit()
    assert ping.body["status"] == "Healthy"  # the runtime itself is fine
    assert anas_ticket.number.value in agent_response(back)["response_text"]


# -- as deployed: two processes, one database ------------------------------------------------


def healthy(port: int, path: str) -> bool:
    try:
        return call(port, Call("GET", path), timeout=2).status == 200
    except OSError:
        return False


@pytest.mark.slow
def test_tap_ticket_agent_and_tap_data_agent_answer_a_turn_as_two_processes(
    tmp_path: Path, postgres_url: str
) -> None:
    """`tap ticket-agent` and `tap data-agent` on the postgres profile, over one database: the
    deployable layout (a memory-profile process cannot see another's store). The customer and
    their ticket are written by this test, on the real clock (the processes run on it)."""
    settings = make_settings(tmp_path, profile="postgres", database_url=postgres_url)
    container = build_container(settings)
    try:
        empty_tables(container.postgres_engine())
        world = World(container, FixedClock(datetime.now(UTC)))
        owner = world.customer("ana@example.com", "Ana", "Lima")
        ticket = world.ticket(owner, visit_in=10)
        token = world.token("ana@example.com")
    finally:
        container.shutdown_resources()
    data_port, agent_port = free_port(), free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("TAP_")}
    env |= {
        "TAP_PROFILE": "postgres",
        "TAP_DATABASE_URL": postgres_url,
        "TAP_TOKEN_SIGNING_KEY": signing_key_pem(),
        "TAP_DEMO_DATA": "false",
        "TAP_PAYMENTS": "dummy",  # no payment in this turn; the postgres default wants a URL
        "TAP_LOG_LEVEL": "WARNING",
        "TAP_MAIL_DIR": str(tmp_path / "mail"),
        "TAP_DATA_AGENT_URL": f"http://127.0.0.1:{data_port}/mcp",
    }
    cli = [sys.executable, "-m", "entrypoints.cli"]
    host = ["--host", "127.0.0.1"]
    log_path = tmp_path / "agents.log"
    with log_path.open("wb") as log:
        processes = [
            subprocess.Popen(
                [*cli, "data-agent", *host, "--port", str(data_port)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            ),
            subprocess.Popen(
                [*cli, "ticket-agent", *host, "--port", str(agent_port)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            ),
        ]
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not (healthy(data_port, "/health") and healthy(agent_port, "/ping")):
                assert all(p.poll() is None for p in processes), log_path.read_text()
                assert time.monotonic() < deadline, "the agents did not start"
                time.sleep(0.05)
            ping = call(agent_port, Call("GET", "/ping"))
            reply = invoke(
                agent_port, {"message": "Which tickets do I have?", "access_token": token}
            )
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=15)

    assert ping.body["status"] == "Healthy"
    assert ticket.number.value in agent_response(reply)["response_text"]
