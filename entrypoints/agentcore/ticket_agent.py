"""The Ticket Agent runtime: `BedrockAgentCoreApp` whose one handler runs a conversation turn.

Payload (JSON): `{"message": "...", "access_token": "<the customer's JWT>"}`; the conversation
is the runtime session (header `X-Amzn-Bedrock-AgentCore-Runtime-Session-Id`) when it is one
of ours (`sess-` + 32 hex), else a new one starts. The token may come instead in an
`Authorization: Bearer` header (a runtime with a JWT authorizer and that header allowed). It is
checked here as on the API, and passed on to the Data Agent, which checks it again: the agent
acts for that customer only. The answer is the design's AgentResponse as JSON; a refusal is a
JSON error with the domain's code and a 4xx/5xx status, in plain words, never a stack trace.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from bedrock_agentcore import BedrockAgentCoreApp, RequestContext
from starlette.responses import JSONResponse

from application.errors import AuthenticationError
from application.use_cases.take_chat_turn import ChatCommand
from domain.conversations import SessionId
from domain.errors import DomainError, InvalidInputError
from entrypoints.http.problems import status_for
from infra.container import Container

log = logging.getLogger(__name__)


def create_ticket_agent(container: Container) -> BedrockAgentCoreApp:
    """The runtime app over `container` (one per process)."""
    app = BedrockAgentCoreApp()
    verifier = container.token_verifier()

    @app.entrypoint
    def invoke(payload: Any, context: RequestContext) -> Any:  # sync: runs in a worker thread
        if not isinstance(payload, dict) or not isinstance(payload.get("message"), str):
            return _error(400, "invalid_payload", 'Send {"message": "...", "access_token": "..."}.')
        token = _token(payload, context)
        if token is None:
            return _error(401, "unauthenticated", "An access token is required.")
        try:
            principal = verifier.verify(token)
        except AuthenticationError as error:
            return _error(401, "unauthenticated", error.message)
        try:
            customer_id = container.identify_customer()(principal)
            command = ChatCommand(customer_id, token, payload["message"], _session(context))
            response = container.take_chat_turn()(command)
        except DomainError as error:
            return _error(status_for(error), error.code, error.message, error.guidance)
        return {
            **dataclasses.asdict(response),
            "actions": [{"type": a.type, "data": dict(a.data)} for a in response.actions],
            "next_steps": list(response.next_steps),
        }

    return app


def _token(payload: dict[str, Any], context: RequestContext) -> str | None:
    token = payload.get("access_token")
    if isinstance(token, str) and token:
        return token
    header = (context.request_headers or {}).get("Authorization") or ""
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _session(context: RequestContext) -> str | None:
    """The runtime session, when it is one of our conversations: AgentCore makes up an id of
    its own when the caller gives none, and that one starts a new conversation."""
    given = context.session_id
    if not given:
        return None
    try:
        return SessionId.parse(given).value
    except InvalidInputError:
        return None


def _error(status: int, code: str, message: str, guidance: str = "") -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "guidance": guidance}}, status_code=status
    )
