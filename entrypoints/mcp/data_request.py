"""The Data Agent's natural-language tool, `data_request(instruction)`: its reasoner turns the
instruction into calls of the server's own structured tools (the `RunDataRequest` use case),
which run in this process for the customer of the request's token and no one else.

The use case is synchronous (a reasoner may wait seconds on a model), so it runs in a worker
thread; each tool call it makes hops back onto the event loop and goes through the server's
own `call_tool`, the very path an MCP client's call takes (arguments checked against the
tool's schema, the same use case, the same refusals), inside `acting_for` the principal of
the `data_request` call itself.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import anyio
import anyio.from_thread
import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult

from application.ports.identity import Principal
from application.ports.reasoning import ToolCall, ToolResult, ToolSpec
from application.use_cases.run_data_request import DataRequestCommand
from domain.errors import DomainError
from entrypoints.mcp.auth import acting_for, current_principal, unauthorized
from entrypoints.mcp.results import answer, refusal
from entrypoints.mcp.schemas import data_request_out
from infra.container import Container

log = logging.getLogger(__name__)

NAME = "data_request"
# Requests reasoning at once, each holding a worker thread of its own. They take their threads
# from a limiter of their own: were they to take anyio's default one, as many waiting requests
# could hold every thread while the tool calls they wait on wait for a thread.
MAX_REASONING_AT_ONCE = 16
TOOL_ERROR = "tool_error"
DESCRIPTION = (
    "Carry out an instruction in plain words for the signed-in customer: this agent's own "
    "reasoner turns it into calls of its structured tools and answers from their results. "
    'For example "list my tickets", "what does Double Fun cost for TKT-12345678 on '
    '2026-12-05?", "hold Non-stop for TKT-12345678 next Saturday". It reads anything, and it '
    "holds an upgrade (quote_upgrade: a pending order that lapses unpaid; nothing is charged) "
    "only when the instruction asks for one with a tier and a date. It never records a "
    "payment (use record_payment with the provider's charge id), and it changes the "
    "customer's details only when `allow_account_changes` is true and the instruction gives "
    "the new values. The answer: `answer` in plain words, `calls` (each tool called, its "
    "arguments, `ok`, and the refusal's `code`), and `data`, what the last successful call "
    "answered (null if none did). A refused call is listed with its code and explained in the "
    "answer; if the reasoner cannot answer at all, the tool fails with reasoning_unavailable."
)
INSTRUCTION = "What to do, in plain words (at most 2000 characters)"
ALLOW_ACCOUNT_CHANGES = (
    "True to let the instruction change the customer's email or names (to values it gives); "
    "false by default, when update_customer is not used"
)


class InProcessTools:
    """`CustomerTools` over this server's structured tools, for one principal. Made on the
    event loop; `call` is made from the worker thread that runs the use case."""

    def __init__(self, server: MCPServer, principal: Principal, specs: Sequence[ToolSpec]):
        self._server = server
        self._principal = principal
        self._specs = specs

    def specs(self) -> Sequence[ToolSpec]:
        return self._specs

    def call(self, call: ToolCall) -> ToolResult:
        return anyio.from_thread.run(self._call, call)

    async def _call(self, call: ToolCall) -> ToolResult:
        with acting_for(self._principal):
            try:
                result = await self._server.call_tool(call.name, dict(call.arguments))
            except UnexpectedToolError:
                log.exception("a tool crashed under data_request", extra={"tool": call.name})
                return _tool_error(call.id, f"The tool {call.name!r} failed.")
            except (ToolError, MCPError) as error:  # an unknown tool, or misshapen arguments
                return _tool_error(call.id, str(error))
        if not isinstance(result, CallToolResult):  # asks the client for input: not ours
            return _tool_error(call.id, f"The tool {call.name!r} wants input it cannot get.")
        return tool_result(call.id, result)


def tool_result(call_id: str, result: CallToolResult) -> ToolResult:
    """A structured tool's result as the reasoner reads it: its structured content, and on a
    refusal the domain's code from it."""
    content = result.structured_content
    if not result.is_error:
        return ToolResult(call_id, content)
    code = content.get("code") if isinstance(content, dict) else None
    if not isinstance(code, str):
        return _tool_error(call_id, "The tool refused without saying why.")
    return ToolResult(call_id, content, is_error=True, code=code)


def _tool_error(call_id: str, message: str) -> ToolResult:
    content = {
        "code": TOOL_ERROR,
        "message": message,
        "guidance": "Call the tool by its name with the arguments its schema asks for.",
    }
    return ToolResult(call_id, content, is_error=True, code=TOOL_ERROR)


class DataRequests:
    """Runs `data_request` calls on one server: the use case, for the request's principal,
    over the server's structured tools (every tool but this one)."""

    def __init__(self, container: Container, server: MCPServer) -> None:
        self._container = container
        self._server = server
        self._specs: list[ToolSpec] | None = None
        self._threads: anyio.CapacityLimiter | None = None  # made on the server's event loop

    async def run(self, instruction: str, allow_account_changes: bool) -> CallToolResult:
        principal = current_principal()
        if principal is None:  # only reachable when served without the bearer guard
            return refusal(unauthorized())
        tools = InProcessTools(self._server, principal, await self.specs())
        command = DataRequestCommand(instruction, allow_account_changes)
        run = self._container.run_data_request()
        if self._threads is None:
            self._threads = anyio.CapacityLimiter(MAX_REASONING_AT_ONCE)
        try:
            result = await anyio.to_thread.run_sync(run, command, tools, limiter=self._threads)
        except DomainError as error:
            return refusal(error)
        return answer(data_request_out(result))

    async def specs(self) -> list[ToolSpec]:
        """The structured tools, described from their schemas (listed once: a server's tools
        do not change once it serves)."""
        if self._specs is None:
            self._specs = [
                ToolSpec(tool.name, tool.description or "", tool.input_schema)
                for tool in await self._server.list_tools()
                if tool.name != NAME
            ]
        return self._specs
