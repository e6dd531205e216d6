"""A reasoner backed by a language model through Amazon Bedrock's Converse API.

One `reply` is exactly one Converse request: our messages, tool results and tool specs are
mapped to Converse's shapes, and the model's answer (text, `toolUse` blocks, `stopReason`)
back to a `Reply`. Running the tools and asking again is the caller's loop (the Ticket Agent's
use case), so the number of steps is bounded there.

Confidence is not something Converse reports, so it is set from the stop reason alone:
0.9 for a finished answer or a tool request (the model followed the protocol), 0.4 for an
answer cut short at `max_tokens`, 0.1 for anything else (refused, filtered, malformed), which
the caller must not show as an answer.

Every botocore failure becomes `ReasoningUnavailableError`, whose message names the kind of
failure only: never the prompt, which botocore's own messages may quote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from application.ports.reasoning import (
    Message,
    ReasoningUnavailableError,
    Reply,
    StopReason,
    ToolCall,
    ToolResult,
    ToolSpec,
)

DEFAULT_MODEL_ID = "amazon.nova-pro-v1:0"
TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
# Nova (and other models) think aloud in <thinking> tags before calling tools: not for customers.
_THINKING = re.compile(r"<thinking>.*?(</thinking>|$)", re.DOTALL)
_EMPTY_SCHEMA: Mapping[str, Any] = {"type": "object", "properties": {}}

_STOP_REASONS = {
    "end_turn": StopReason.END_TURN,
    "stop_sequence": StopReason.END_TURN,
    "tool_use": StopReason.TOOL_USE,
    "max_tokens": StopReason.MAX_TOKENS,
}
_CONFIDENCE = {
    StopReason.END_TURN: 0.9,
    StopReason.TOOL_USE: 0.9,
    StopReason.MAX_TOKENS: 0.4,
    StopReason.OTHER: 0.1,
}
# Worth asking again soon; anything else (access denied, an unknown model, a request the model
# rejects) will not mend by itself.
_TRANSIENT_CODES = {
    "ThrottlingException",
    "ServiceUnavailableException",
    "InternalServerException",
    "ModelTimeoutException",
    "ModelNotReadyException",
    "ModelErrorException",
}


class BedrockConverseReasoner:
    """A `Reasoner` that asks a Bedrock model (Amazon Nova Pro by default) through Converse.
    `client` is a boto3 `bedrock-runtime` client."""

    def __init__(
        self,
        client: Any,
        model_id: str = DEFAULT_MODEL_ID,
        max_tokens: int = 1024,
        temperature: float = 0.2,
    ) -> None:
        if not model_id.strip():
            raise ValueError("a model id is required")
        if max_tokens < 1 or not 0.0 <= temperature <= 1.0:
            raise ValueError("max_tokens must be positive and temperature between 0 and 1")
        self._client = client
        self._model_id = model_id
        self._inference = {"maxTokens": max_tokens, "temperature": temperature}

    def reply(self, system: str, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> Reply:
        request = self.request(system, messages, tools)
        try:
            response = self._client.converse(**request)
        except ClientError as error:
            raise _unavailable(error) from error
        except ParamValidationError as error:
            # Its message quotes the offending values, which may be the customer's words.
            raise ReasoningUnavailableError(
                "the request to the language model was malformed", retry_after=60
            ) from error
        except BotoCoreError as error:
            raise ReasoningUnavailableError(
                f"the language model could not be reached ({type(error).__name__})"
            ) from error
        return _reply(response)

    def request(
        self, system: str, messages: Sequence[Message], tools: Sequence[ToolSpec]
    ) -> dict[str, Any]:
        """The Converse request for these arguments (what `reply` sends)."""
        request: dict[str, Any] = {
            "modelId": self._model_id,
            "messages": converse_messages(messages),
            "inferenceConfig": dict(self._inference),
        }
        if system.strip():
            request["system"] = [{"text": system}]
        if tools:
            request["toolConfig"] = {"tools": [tool_spec(tool) for tool in tools]}
        return request


def tool_spec(tool: ToolSpec) -> dict[str, Any]:
    """Converse's description of one tool. Raises ValueError for a name Converse refuses."""
    if not TOOL_NAME.fullmatch(tool.name):
        raise ValueError(
            f"tool name {tool.name!r} is not accepted by Converse: use 1 to 64 letters, "
            "digits, '_' or '-'"
        )
    return {
        "toolSpec": {
            "name": tool.name,
            "description": tool.description.strip() or f"The {tool.name} tool.",
            "inputSchema": {"json": dict(tool.input_schema or _EMPTY_SCHEMA)},
        }
    }


def converse_messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Our messages as Converse's: consecutive messages of one role are merged (Converse wants
    the roles to alternate), empty text is left out (it refuses blank blocks), and a leading
    assistant message is dropped (a conversation must open with the user)."""
    converse: list[dict[str, Any]] = []
    for message in messages:
        content = _content(message)
        if not content or (not converse and message.role == "assistant"):
            continue
        if converse and converse[-1]["role"] == message.role:
            converse[-1]["content"].extend(content)
        else:
            converse.append({"role": message.role, "content": content})
    return converse


def _content(message: Message) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [_tool_result(result) for result in message.tool_results]
    if message.text.strip():
        blocks.append({"text": message.text})
    blocks.extend(
        {"toolUse": {"toolUseId": call.id, "name": call.name, "input": dict(call.arguments)}}
        for call in message.tool_calls
    )
    return blocks


def _tool_result(result: ToolResult) -> dict[str, Any]:
    content = result.content
    if isinstance(content, Mapping):
        document = dict(content)
        if result.is_error and result.code and "code" not in document:
            document["code"] = result.code
    elif result.is_error:
        document = {"code": result.code or "error", "message": str(content)}
    else:
        document = {"result": content}  # Converse's `json` block is meant to hold an object
    return {
        "toolResult": {
            "toolUseId": result.call_id,
            "content": [{"json": document}],
            "status": "error" if result.is_error else "success",
        }
    }


def _reply(response: Mapping[str, Any]) -> Reply:
    try:
        blocks = response["output"]["message"]["content"]
        stop = _STOP_REASONS.get(response["stopReason"], StopReason.OTHER)
        texts = [str(block["text"]) for block in blocks if "text" in block]
        calls = tuple(_tool_call(block["toolUse"]) for block in blocks if "toolUse" in block)
    except (KeyError, TypeError) as error:
        raise ReasoningUnavailableError("the language model's answer was malformed") from error
    if stop is StopReason.TOOL_USE and not calls:
        stop = StopReason.OTHER  # asked for tools without naming one: malformed
    text = _THINKING.sub("", "\n".join(texts)).strip()
    return Reply(text, calls, stop, confidence=_CONFIDENCE[stop])


def _tool_call(block: Mapping[str, Any]) -> ToolCall:
    arguments = block.get("input")
    return ToolCall(
        id=block["toolUseId"],
        name=block["name"],
        arguments=arguments if isinstance(arguments, Mapping) else {},
    )


def _unavailable(error: ClientError) -> ReasoningUnavailableError:
    code = str(error.response.get("Error", {}).get("Code", "unknown"))
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code in _TRANSIENT_CODES or (isinstance(status, int) and status >= 500):
        return ReasoningUnavailableError(f"the language model is busy or failing ({code})")
    return ReasoningUnavailableError(
        f"the language model refused the request ({code})", retry_after=60
    )
