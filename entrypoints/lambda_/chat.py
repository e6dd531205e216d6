"""`POST /api/chat` on AWS: API Gateway (REST, proxy integration) -> this Lambda -> the Ticket
Agent's AgentCore runtime.

The customer's token (already checked by API Gateway's Cognito authorizer) goes to the runtime
in the payload, which checks it again and passes it to the Data Agent; the conversation id goes
as the runtime session id. Answers are the runtime's JSON, or RFC 9457 problem JSON when the
request is refused here or the runtime cannot be reached.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from application.errors import ServiceUnavailableError
from application.ports.agent_runtime import AgentRuntime
from domain.conversations import SessionId
from domain.errors import InvalidInputError
from entrypoints.http.problems import PROBLEM_JSON, problem_body

log = logging.getLogger(__name__)
Event = Mapping[str, Any]
Handler = Callable[[Event, Any], dict[str, Any]]
MAX_BODY_BYTES = 16 * 1024


def make_handler(runtime: Callable[[], AgentRuntime]) -> Handler:
    """A handler over the runtime `runtime()` gives (built on first use: once per cold start)."""

    def handle(event: Event, _context: Any) -> dict[str, Any]:
        token = _bearer(event)
        if token is None:
            return _problem(401, "unauthorized", "An access token is required.")
        try:
            message, session_id = _read_body(event)
            answer = runtime().invoke(session_id, {"message": message, "access_token": token})
        except InvalidInputError as error:
            return _problem(400, error.code, error.message, error.guidance)
        except ServiceUnavailableError as error:
            response = _problem(503, error.code, error.message, error.guidance)
            response["headers"]["Retry-After"] = str(error.retry_after)
            return response
        return _json(answer.status, dict(answer.body))

    return handle


def _bearer(event: Event) -> str | None:
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _read_body(event: Event) -> tuple[str, str | None]:
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise _bad_body() from None
    if len(raw.encode()) > MAX_BODY_BYTES:
        raise InvalidInputError("request_too_large", "The request is too large.", "Send less.")
    try:
        body = json.loads(raw)
    except ValueError:
        raise _bad_body() from None
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str):
        raise _bad_body()
    session = body.get("session_id")
    if session is not None and not isinstance(session, str):
        raise _bad_body()
    return message, SessionId.parse(session).value if session else None


def _bad_body() -> InvalidInputError:
    return InvalidInputError(
        "invalid_request",
        'The body must be JSON: {"message": "...", "session_id": "sess-..." (optional)}.',
        "Send the message as JSON.",
    )


def _json(
    status: int, body: dict[str, Any], content_type: str = "application/json"
) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_type},
        "body": json.dumps(body),
    }


def _problem(status: int, code: str, detail: str, guidance: str = "") -> dict[str, Any]:
    body = problem_body(status, code, detail, guidance)  # the API's RFC 9457 shape
    return _json(status, body, PROBLEM_JSON)


def _container_runtime() -> AgentRuntime:
    """The runtime from a container built once per cold start (from the Lambda's settings)."""
    from infra.container import build_container  # noqa: PLC0415 - only when really invoked
    from infra.settings import Settings  # noqa: PLC0415

    global _RUNTIME  # noqa: PLW0603 - one per cold start, by design
    if _RUNTIME is None:
        _RUNTIME = build_container(Settings()).agent_runtime()
    return _RUNTIME


_RUNTIME: AgentRuntime | None = None
handler = make_handler(_container_runtime)
