"""Reading a whole conversation the way the rule-based reasoner needs it: what the customer
wants now (the goal), the details given so far in any turn (the slots), what was proposed to
them last, and which tools were already called with what result.

Slots carry across turns, the latest mention winning: a ticket given in one message and a tier
two messages later make one request. "Cancel" or "never mind" drops the tier, date and month
chosen before it (the ticket stays: it is still theirs). A message that only adds details
continues the goal of the last message that had one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from adapters.reasoning import phrases
from adapters.reasoning.intents import TASKS, Goal, goal_of, greets
from application.ports.reasoning import Message, ToolCall, ToolResult
from domain.tiers import Tier

# A UUID after the word "order" in an assistant's answer is an order we told them about.
_ORDER_IN_ANSWER = re.compile(
    r"\border\b[^.?!]{0,24}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    re.IGNORECASE,
)
_PROPOSAL = re.compile(r"\bshall i hold\b([^?]*)\?", re.IGNORECASE)
_ORDER_GOALS = frozenset({Goal.ORDER_STATUS, Goal.PAY, Goal.CANCEL})


@dataclass(frozen=True, slots=True)
class Done:
    """A tool call and its result; `this_turn` when it answers the latest message."""

    call: ToolCall
    result: ToolResult
    this_turn: bool


@dataclass(frozen=True, slots=True)
class Slots:
    ticket: str | None = None
    tier: Tier | None = None
    day: date | None = None
    month: tuple[date, int] | None = None  # (first day, number of days) for "in December"
    order_id: str | None = None
    changes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Dialogue:
    goal: Goal | None
    greeted: bool
    slots: Slots
    done: tuple[Done, ...]
    calls_made: int  # tool calls anywhere in the messages, to number new ones uniquely
    accepted: bool = False  # the latest message said yes to "Shall I hold ...?"

    def result(self, name: str, arguments: Mapping[str, Any]) -> ToolResult | None:
        """This turn's result of exactly this call, if it was made."""
        key = canonical(arguments)
        for done in reversed(self.done):
            if done.this_turn and done.call.name == name and canonical(done.call.arguments) == key:
                return done.result
        return None

    def successes(self) -> list[Any]:
        """What every successful tool call in the conversation answered, oldest first."""
        return [done.result.content for done in self.done if not done.result.is_error]


def canonical(arguments: Mapping[str, Any]) -> str:
    return json.dumps(arguments, sort_keys=True, default=str)


def read(messages: Sequence[Message], today: date) -> Dialogue:
    """The conversation so far, as of its latest customer message."""
    latest = max(
        (i for i, m in enumerate(messages) if m.role == "user" and m.text.strip()), default=-1
    )
    results = _results(messages, latest)
    done = tuple(item for _, item in results)
    calls_made = sum(len(message.tool_calls) for message in messages)
    if latest < 0:
        return Dialogue(None, False, Slots(), done, calls_made)
    proposal = _proposal(messages[:latest], today)
    slots = Slots()
    goals: list[Goal | None] = []
    order_mentions: list[tuple[int, str]] = []
    for index, message in enumerate(messages[: latest + 1]):
        if message.role == "assistant":
            order_mentions += [
                (index, m.group(1).lower()) for m in _ORDER_IN_ANSWER.finditer(message.text)
            ]
            continue
        if not message.text.strip():
            continue
        text = phrases.without_references(message.text)
        own = goal_of(text, proposal_pending=index == latest and proposal is not None)
        goal = own or _carried(goals)
        if own is Goal.CANCEL and index != latest:
            slots = replace(slots, tier=None, day=None, month=None)
        slots = _read_slots(slots, message.text, text, goal, today)
        order_mentions += [
            (index, reference.value)
            for reference in phrases.references(message.text)
            if _kind(reference, goal) == "order"
        ]
        goals.append(own)
    latest_message = messages[latest]
    text = phrases.without_references(latest_message.text)
    goal = goals[-1] or _carried(goals[:-1]) or _details_only(latest_message.text, text, today)
    if goal is Goal.ELIGIBILITY and phrases.tiers(text):
        goal = Goal.PRICE  # "can I upgrade it to Non-stop?" asks what Non-stop would cost
    accepted = False
    if goal is Goal.CONFIRM and proposal is not None:
        slots, accepted = _accept(slots, proposal, latest_message.text, text, today), True
    order_mentions += _orders_answered(results)
    if order_mentions:
        slots = replace(slots, order_id=max(order_mentions, key=lambda item: item[0])[1])
    return Dialogue(goal, greets(latest_message.text), slots, done, calls_made, accepted)


def _carried(goals: Sequence[Goal | None]) -> Goal | None:
    """The goal a message without one continues: the last stated goal, if it was a task."""
    for goal in reversed(goals):
        if goal is None:
            continue
        if goal is Goal.CONFIRM:
            return Goal.BOOK
        return goal if goal in TASKS else None
    return None


def _details_only(raw: str, text: str, today: date) -> Goal | None:
    """A first message of only details ("TKT-12345678, Non-stop") is about an upgrade."""
    if phrases.references(raw) or phrases.tiers(text) or phrases.dates(text, today):
        return Goal.BOOK
    return None


def _kind(reference: phrases.Reference, goal: Goal | None) -> str:
    if reference.kind is not None:
        return reference.kind
    return "order" if goal in _ORDER_GOALS else "ticket"


def _read_slots(slots: Slots, raw: str, text: str, goal: Goal | None, today: date) -> Slots:
    tickets = [r.value for r in phrases.references(raw) if _kind(r, goal) == "ticket"]
    tiers = phrases.tiers(text)
    days = phrases.dates(text, today)
    month = None if days else phrases.month_window(text, today)
    return Slots(
        ticket=tickets[-1] if tickets else slots.ticket,
        tier=tiers[-1][1] if tiers else slots.tier,
        day=days[-1][1] if days else slots.day,
        month=month or slots.month,
        order_id=slots.order_id,
        changes=phrases.account_changes(raw),  # a change is asked for once, not carried
    )


def _proposal(earlier: Sequence[Message], today: date) -> Slots | None:
    """What the last answer offered to hold ("Shall I hold Non-stop on ... for TKT-...?")."""
    for message in reversed(earlier):
        if message.role != "assistant" or not message.text.strip():
            continue
        found = _PROPOSAL.findall(message.text)
        if not found:
            return None
        return _read_slots(Slots(), found[-1], phrases.without_references(found[-1]), None, today)
    return None


def _accept(slots: Slots, proposal: Slots, raw: str, text: str, today: date) -> Slots:
    """Saying yes to a proposal takes its tier, date and ticket, unless the yes names others."""
    said = _read_slots(Slots(), raw, text, Goal.CONFIRM, today)
    return replace(
        slots,
        ticket=said.ticket or proposal.ticket or slots.ticket,
        tier=said.tier or proposal.tier or slots.tier,
        day=said.day or proposal.day or slots.day,
    )


def _orders_answered(results: Sequence[tuple[int, Done]]) -> list[tuple[int, str]]:
    """The orders tools answered about (a quote made, a status read), with where."""
    return [
        (index, str(item.result.content["id"]))
        for index, item in results
        if item.call.name in {"quote_upgrade", "order_status", "cancel_upgrade"}
        and not item.result.is_error
        and isinstance(item.result.content, Mapping)
        and "id" in item.result.content
    ]


def _results(messages: Sequence[Message], latest: int) -> list[tuple[int, Done]]:
    """Every tool result paired with its call, with the index of the message carrying it."""
    calls: dict[str, ToolCall] = {}
    found = []
    for index, message in enumerate(messages):
        for call in message.tool_calls:
            calls[call.id] = call
        for result in message.tool_results:
            asked = calls.get(result.call_id)
            if asked is not None:
                found.append((index, Done(asked, result, index > latest)))
    return found
