"""Carry out a plain-words instruction to the Data Agent with its own structured tools."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from application.conversation.tool_loop import run_tool_loop
from application.ports.clock import Clock
from application.ports.customer_tools import CustomerTools
from application.ports.reasoning import (
    Message,
    Reasoner,
    ReasoningUnavailableError,
    Reply,
    StopReason,
    ToolCall,
    ToolResult,
    ToolSpec,
)
from domain.conversations import redact_card_numbers
from domain.errors import InvalidInputError
from domain.policy import UpgradePolicy

log = logging.getLogger(__name__)

MAX_INSTRUCTION_CHARS = 2000
# Never on the strength of free text: a payment is recorded by the site from the payment
# provider's charge id, through the structured tool, and nothing is gained by wording it.
NEVER_FROM_INSTRUCTIONS = frozenset({"record_payment"})
# Only when the caller allows it in so many words (`allow_account_changes`): an instruction's
# vague wording ("sort out my email") must never be enough to change an account.
ACCOUNT_CHANGES = frozenset({"update_customer"})
NOT_OFFERED = "tool_not_offered"

SYSTEM = (
    "You are the Data Agent of {park}; today is {today} at the park. Carry out the customer's "
    "instruction with the tools you are offered: they act for this customer only. Give each "
    "argument as the tool's schema asks: tickets by number (TKT- and 8 digits) or id, tiers by "
    "key (standard, non-stop, double-fun), dates as YYYY-MM-DD. Never guess a value the "
    "instruction does not give: say what is missing instead. Hold an upgrade (quote_upgrade) "
    "only when the instruction asks for one. Then answer in short plain sentences from the "
    "tools' results only; when a tool refuses, say so in its own words.{changes}"
)
NO_ACCOUNT_CHANGES = (
    " This request may not change the customer's details: if it asks to, say that the caller "
    "must allow account changes."
)
NO_ANSWER = "Sorry, I have no answer to that. Could you put it another way?"
UNFINISHED = "Sorry, I could not finish that request; the calls made so far are listed."
TOO_MANY_STEPS = "Sorry, that took too many steps. Ask for one thing at a time."
FOR_A_PERSON = (
    "Refunds, complaints, legal matters and requests for a person are for our customer team, "
    "not for the Data Agent: nothing was done."
)


@dataclass(frozen=True, slots=True)
class DataRequestCommand:
    """An instruction in plain words. `allow_account_changes` is the caller's explicit leave to
    change the customer's details (still only to values the instruction gives)."""

    instruction: str
    allow_account_changes: bool = False


@dataclass(frozen=True, slots=True)
class CallMade:
    """One tool call made for the instruction: whether it succeeded, and if not, the code."""

    tool: str
    arguments: Mapping[str, Any]
    ok: bool
    code: str | None = None


@dataclass(frozen=True, slots=True)
class DataRequestResult:
    """The answer in plain words, every call made (in order), and what the last successful
    call answered (None when none did)."""

    answer: str
    calls: tuple[CallMade, ...]
    data: Any


@dataclass(frozen=True, slots=True)
class RunDataRequest:
    """Turn an instruction into calls of the Data Agent's structured tools: the reasoner picks
    the calls and their arguments, the tools (bound to the caller's customer) validate and run
    them, their results go back to the reasoner, at most `max_steps` times, and the reasoner's
    last word is the answer.

    Offered: every structured tool but `record_payment`, and `update_customer` only with
    `allow_account_changes`. A call of anything not offered (a language model may ask for a
    tool it was not given) is refused with `tool_not_offered` and never run.

    Raises `InvalidInputError` for an empty or too long instruction and
    `ReasoningUnavailableError` when the reasoner cannot answer (never an invented answer).
    """

    reasoner: Reasoner
    clock: Clock
    policy: UpgradePolicy
    max_steps: int = 6

    def __call__(self, command: DataRequestCommand, tools: CustomerTools) -> DataRequestResult:
        # A card number has no business here; it is not passed on to a model either.
        text = redact_card_numbers(_clean(command.instruction))[0]
        offered = offered_tools(tools.specs(), command.allow_account_changes)
        park = self.policy.park
        system = SYSTEM.format(
            park=park.name,
            today=park.today(self.clock.now()).isoformat(),
            changes="" if command.allow_account_changes else NO_ACCOUNT_CHANGES,
        )
        outcome = run_tool_loop(
            self.reasoner,
            system,
            [Message("user", text)],
            offered,
            lambda call: _run(call, offered, tools),
            self.max_steps,
        )
        if outcome.reply is not None:
            return _result(_answer(outcome.reply, outcome.calls), outcome.calls)
        log.warning("data request used every step", extra={"steps": self.max_steps})
        return _result(_refused_words(outcome.calls) or TOO_MANY_STEPS, outcome.calls)


def offered_tools(specs: Sequence[ToolSpec], allow_account_changes: bool) -> list[ToolSpec]:
    """The tools an instruction may use."""
    barred = NEVER_FROM_INSTRUCTIONS | (frozenset() if allow_account_changes else ACCOUNT_CHANGES)
    return [spec for spec in specs if spec.name not in barred]


def _run(call: ToolCall, offered: Sequence[ToolSpec], tools: CustomerTools) -> ToolResult:
    if call.name not in {spec.name for spec in offered}:
        log.warning("reasoner asked for a tool it was not offered", extra={"tool": call.name})
        content = {
            "code": NOT_OFFERED,
            "message": f"The tool {call.name!r} is not available to plain-words instructions.",
            "guidance": "Use one of the tools offered; payments and, unless allowed, account "
            "changes go through their own structured tools.",
        }
        return ToolResult(call.id, content, is_error=True, code=NOT_OFFERED)
    return tools.call(call)


def _answer(reply: Reply, done: Sequence[tuple[ToolCall, ToolResult]]) -> str:
    if reply.escalate:
        # The reasoner's own words would promise a hand-over the Data Agent cannot make.
        return FOR_A_PERSON
    if reply.stop_reason is StopReason.OTHER:  # refused, filtered, malformed: not an answer
        if not done:
            raise ReasoningUnavailableError("the reasoner gave no usable answer", retry_after=30)
        return _refused_words(done) or UNFINISHED
    return reply.text.strip() or _refused_words(done) or NO_ANSWER


def _refused_words(done: Sequence[tuple[ToolCall, ToolResult]]) -> str | None:
    """The last call's refusal in the domain's own words, if the last call was refused."""
    if not done or not done[-1][1].is_error:
        return None
    result = done[-1][1]
    content = result.content if isinstance(result.content, Mapping) else {}
    message = str(content.get("message") or f"that was refused ({_code(result)}).")
    guidance = str(content.get("guidance") or "")
    return f"Sorry, {message[:1].lower()}{message[1:]} {guidance}".strip()


def _code(result: ToolResult) -> str:
    return result.code or "tool_error"


def _result(answer: str, done: Sequence[tuple[ToolCall, ToolResult]]) -> DataRequestResult:
    calls = tuple(
        CallMade(
            tool=call.name,
            arguments=dict(call.arguments),
            ok=not result.is_error,
            code=_code(result) if result.is_error else None,
        )
        for call, result in done
    )
    data = next((result.content for _, result in reversed(done) if not result.is_error), None)
    return DataRequestResult(answer, calls, data)


def _clean(instruction: str) -> str:
    text = instruction.strip()
    if not text:
        raise InvalidInputError(
            "empty_instruction",
            "The instruction is empty.",
            'Say what to do, for example "list my tickets".',
        )
    if len(text) > MAX_INSTRUCTION_CHARS:
        raise InvalidInputError(
            "instruction_too_long",
            f"An instruction is at most {MAX_INSTRUCTION_CHARS} characters.",
            "Ask for one thing at a time.",
        )
    return text
