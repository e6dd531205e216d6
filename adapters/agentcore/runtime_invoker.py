"""Invoking the Ticket Agent's AgentCore runtime with `invoke_agent_runtime` (SigV4)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from application.errors import ServiceUnavailableError
from application.ports.agent_runtime import RuntimeAnswer

log = logging.getLogger(__name__)

# The runtime rejects these as the caller's fault; anything else may pass on a retry.
_CALLER_ERRORS = {"ValidationException": 400, "AccessDeniedException": 403}


class AgentCoreRuntimeInvoker:
    """One conversation turn through `bedrock-agentcore` `InvokeAgentRuntime`.

    The conversation's id travels as the runtime session id (so that AgentCore keeps one
    microVM per conversation), never in the body; with no id AgentCore makes one up and the
    Ticket Agent starts a new conversation."""

    def __init__(self, client: Any, runtime_arn: str, qualifier: str = "DEFAULT") -> None:
        self._client = client
        self._arn = runtime_arn
        self._qualifier = qualifier

    def invoke(self, session_id: str | None, payload: Mapping[str, Any]) -> RuntimeAnswer:
        request: dict[str, Any] = {
            "agentRuntimeArn": self._arn,
            "qualifier": self._qualifier,
            "payload": json.dumps(payload).encode(),
            "contentType": "application/json",
            "accept": "application/json",
        }
        if session_id is not None:
            request["runtimeSessionId"] = session_id
        try:
            answer = self._client.invoke_agent_runtime(**request)
            body = json.loads(answer["response"].read() or b"{}")
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "Unknown")
            log.warning("ticket agent runtime refused", extra={"code": code})
            if code in _CALLER_ERRORS:
                return RuntimeAnswer(
                    _CALLER_ERRORS[code],
                    {"error": {"code": "agent_refused", "message": f"The agent refused: {code}."}},
                )
            raise _unavailable(code) from error
        except (BotoCoreError, ValueError) as error:
            log.warning("ticket agent runtime unreachable", extra={"error": type(error).__name__})
            raise _unavailable(type(error).__name__) from error
        return RuntimeAnswer(int(answer.get("statusCode", 200)), body)


def _unavailable(why: str) -> ServiceUnavailableError:
    return ServiceUnavailableError(
        "agent_unavailable",
        f"The Ticket Agent cannot answer right now ({why}).",
        "Please try again in a moment.",
        retry_after=5,
    )
