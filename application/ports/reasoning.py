"""The reasoning port: something that reads a conversation and decides the next step.

Shaped like Bedrock Converse so that a language model and the deterministic rules are
interchangeable: given the system text, the messages so far and the tools on offer, a reasoner
answers with text, or with tool calls whose results come back in the next user message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, Protocol

from application.errors import ServiceUnavailableError


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool the reasoner may call: its name, what it does, and its arguments' JSON Schema."""

    name: str
    description: str
    input_schema: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One call the reasoner asks for; `id` pairs it with its result."""

    id: str
    name: str
    arguments: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What a tool answered: JSON-able content, or an error with the domain's code."""

    call_id: str
    content: Any
    is_error: bool = False
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One message of the conversation. A user message carries text or tool results; an
    assistant message carries text and/or tool calls."""

    role: Literal["user", "assistant"]
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_results: tuple[ToolResult, ...] = ()


class StopReason(Enum):
    END_TURN = "end_turn"  # the reply is the answer
    TOOL_USE = "tool_use"  # run the tool calls, then ask again with their results
    MAX_TOKENS = "max_tokens"  # the answer was cut short
    OTHER = "other"  # refused, filtered or malformed: not to be shown as an answer


@dataclass(frozen=True, slots=True)
class Reply:
    """The reasoner's next step. `confidence` is between 0 and 1. `fallback` is set when the
    answer came from the fallback reasoner because the preferred one failed: the conversation
    is then flagged for a human. `escalate` is set when the reasoner itself judged that the
    request needs a person (a refund, a complaint, a legal matter, asking for a human): the
    text then says so, and the caller flags the conversation."""

    text: str
    tool_calls: tuple[ToolCall, ...]
    stop_reason: StopReason
    confidence: float = 1.0
    fallback: bool = False
    escalate: bool = False


class ReasoningUnavailableError(ServiceUnavailableError):
    """The reasoner could not answer (the model is unreachable, throttled or failing)."""

    def __init__(self, detail: str, retry_after: int = 10) -> None:
        super().__init__(
            "reasoning_unavailable",
            f"The assistant cannot think right now: {detail}.",
            "Please try again in a moment.",
            retry_after=retry_after,
        )


class Reasoner(Protocol):
    """Decides the next step of a conversation."""

    def reply(self, system: str, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> Reply:
        """The next step after `messages` (oldest first; the last is the user's). Raises
        `ReasoningUnavailableError` when it cannot answer at all."""
        ...
