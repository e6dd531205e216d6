"""Conversations with the Ticket Agent: one message in, the agent's answer out.

The local build runs the same Ticket Agent code as the AgentCore runtime, and its tools reach
the Data Agent over MCP with the customer's own token."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from application.use_cases.take_chat_turn import ChatCommand
from entrypoints.http.dependencies import Services
from entrypoints.http.schemas import (
    AgentResponseOut,
    ChatHistoryOut,
    ChatRequest,
    agent_response_out,
    chat_history_out,
)


class ChatController(Controller):
    path = "/api/chat"
    tags = ["chat"]

    @post("/", status_code=200, operation_id="chat")
    async def chat(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ChatRequest],
        services: NamedDependency[Services],
    ) -> AgentResponseOut:
        """Send a message; leave `session_id` out to start a conversation (the answer carries
        its new id). `actions` tell the site what to do (`show_payment_form`, `escalate`).
        Card numbers typed here are removed before anything is stored."""

        def work() -> AgentResponseOut:
            customer_id = services.customer_id(request.user)
            command = ChatCommand(customer_id, str(request.auth), data.message, data.session_id)
            return agent_response_out(services.take_chat_turn(command))

        # Always in a worker thread: a turn waits on the reasoner and the Data Agent.
        return await services.run_blocking(work)

    @get("/{session_id:str}", operation_id="chatHistory")
    async def history(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[str],
        services: NamedDependency[Services],
    ) -> ChatHistoryOut:
        """A conversation's turns, oldest first (its owner only: any other is a 404)."""

        def work() -> ChatHistoryOut:
            customer_id = services.customer_id(request.user)
            return chat_history_out(services.read_chat_history(customer_id, session_id))

        return await services.run(work)
