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
import json
import logging
from typing import Any

from bedrock_agentcore import BedrockAgentCoreApp, RequestContext
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.errors import AuthenticationError, ServiceUnavailableError
from application.use_cases.take_chat_turn import ChatCommand
from domain.conversations import SessionId
from domain.errors import DomainError, InvalidInputError
from entrypoints.http.problems import status_for
from infra.container import Container

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 64 * 1024  # a message is at most 2,000 characters; a token about 1 kB


def create_ticket_agent(container: Container) -> BedrockAgentCoreApp:
    """The runtime app over `container` (one per process)."""
    app = BedrockAgentCoreApp(middleware=[Middleware(_JsonPayloads)])
    # The SDK gives its logger a handler of its own; the process's logging (infra.logging)
    # already writes its records, so each line came out twice in two formats.
    app.logger.handlers.clear()
    verifier = container.token_verifier()

    @app.entrypoint
    def invoke(payload: Any, context: RequestContext) -> Any:  # sync: runs in a worker thread
        if not isinstance(payload, dict) or not isinstance(payload.get("message"), str):
            return _error(400, "invalid_payload", "The request has no message.", INVALID_PAYLOAD)
        token = _token(payload, context)
        if token is None:
            return _error(401, "unauthenticated", "An access token is required.", HOW_TO_SIGN_IN)
        try:
            principal = verifier.verify(token)
        except AuthenticationError as error:
            return _error(401, "unauthenticated", error.message, error.guidance or HOW_TO_SIGN_IN)
        except ServiceUnavailableError as error:  # the sign-in service's keys are out of reach
            return _error(503, error.code, error.message, error.guidance)
        try:
            customer_id = container.identify_customer()(principal)
            command = ChatCommand(customer_id, token, payload["message"], _session(context))
            response = container.take_chat_turn()(command)
        except DomainError as error:
            retry = error.retry_after if isinstance(error, ServiceUnavailableError) else None
            return _error(status_for(error), error.code, error.message, error.guidance, retry)
        except Exception:  # the SDK would answer with the exception's text: log it, say less
            log.exception("conversation turn failed")
            return _error(500, "internal_error", "Something went wrong on our side.", RETRY)
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


RETRY = "Please try again in a moment."
HOW_TO_SIGN_IN = "Send the customer's token as access_token, or as 'Authorization: Bearer <token>'."
INVALID_PAYLOAD = 'Send {"message": "...", "access_token": "..."}.'


def _error(
    status: int, code: str, message: str, guidance: str = "", retry_after: int | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "guidance": guidance}},
        status_code=status,
        headers={"Retry-After": str(retry_after)} if retry_after is not None else None,
    )


class _JsonPayloads:
    """Refuses an invocation whose body is not JSON, or too large, with the same error shape as
    every other refusal (the SDK's own answer to bad JSON is `{"error": "Invalid JSON",
    "details": <the parser's message>}`). A body that parses is handed on untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/invocations":
            await self.app(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_PAYLOAD_BYTES:
                refusal = _error(
                    413, "payload_too_large", "The request is too large.", INVALID_PAYLOAD
                )
                await refusal(scope, receive, send)
                return
        try:
            json.loads(body)
        except ValueError:  # not JSON, or not UTF-8
            refusal = _error(400, "invalid_payload", "The request is not JSON.", INVALID_PAYLOAD)
            await refusal(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)
