"""The reasoning loop both agents run: ask the reasoner, run the tools it calls, give it the
results, until it answers or the rounds run out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from application.ports.reasoning import (
    Message,
    Reasoner,
    Reply,
    StopReason,
    ToolCall,
    ToolResult,
    ToolSpec,
)


@dataclass(frozen=True, slots=True)
class LoopOutcome:
    """The reasoner's last reply (None when it still wanted tools after the last round) and
    every call made, in order, with its result."""

    reply: Reply | None
    calls: list[tuple[ToolCall, ToolResult]] = field(default_factory=list)


def run_tool_loop(
    reasoner: Reasoner,
    system: str,
    messages: Sequence[Message],
    tools: Sequence[ToolSpec],
    call: Callable[[ToolCall], ToolResult],
    max_steps: int,
) -> LoopOutcome:
    """At most `max_steps` rounds; `messages` is left as it was."""
    conversation = list(messages)
    outcome = LoopOutcome(None)
    for _ in range(max_steps):
        reply = reasoner.reply(system, conversation, tools)
        if reply.stop_reason is not StopReason.TOOL_USE or not reply.tool_calls:
            return LoopOutcome(reply, outcome.calls)
        results = tuple(call(tool_call) for tool_call in reply.tool_calls)
        outcome.calls.extend(zip(reply.tool_calls, results, strict=True))
        conversation.append(Message("assistant", reply.text, tool_calls=reply.tool_calls))
        conversation.append(Message("user", tool_results=results))
    return outcome
