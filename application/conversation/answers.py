"""What one conversation turn answers (the design's AgentResponse), and the actions the site
acts on, read from the Data Agent's tool results rather than from the reasoner's words: a
payment form appears because a quote really exists, whatever a model says."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from application.ports.conversation_memory import MemoryEvent
from application.ports.reasoning import ToolCall, ToolResult


@dataclass(frozen=True, slots=True)
class AgentAction:
    """Something for the site to do: `show_payment_form` (a quote is waiting for payment; the
    site shows its card form: card numbers never travel through the chat), `escalate` (a person
    will follow up), `show_options` (a calendar of prices was read)."""

    type: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AgentResponse:
    session_id: str
    response_text: str
    actions: tuple[AgentAction, ...]
    next_steps: tuple[str, ...]
    confidence_score: float
    escalated: bool = False


@dataclass(frozen=True, slots=True)
class ChatHistory:
    """A conversation as its owner sees it: each stored exchange, oldest first."""

    session_id: str
    events: tuple[MemoryEvent, ...]


@dataclass(slots=True)
class TurnTrace:
    """What the tools did during one turn, kept to build the actions, next steps and the
    long-term facts worth remembering."""

    calls: list[tuple[ToolCall, ToolResult]] = field(default_factory=list)

    def successes(self, tool: str) -> list[Mapping[str, Any]]:
        return [
            result.content
            for call, result in self.calls
            if call.name == tool and not result.is_error and isinstance(result.content, Mapping)
        ]

    def errors(self) -> list[ToolResult]:
        return [result for _, result in self.calls if result.is_error]


def payment_actions(trace: TurnTrace) -> list[AgentAction]:
    """A quote made (or found still waiting) this turn gets the payment form."""
    actions = []
    for order in trace.successes("quote_upgrade") + trace.successes("order_status"):
        if order.get("status") != "pending" or "id" not in order:
            continue
        actions.append(
            AgentAction(
                "show_payment_form",
                {
                    "order_id": order["id"],
                    "amount_due": order.get("amount_due"),
                    "currency": order.get("currency"),
                    "tier": order.get("tier"),
                    "date": order.get("visit_date") or order.get("date"),
                    "expires_at": order.get("expires_at"),
                },
            )
        )
    return actions


def next_steps(
    actions: Sequence[AgentAction], trace: TurnTrace, escalated: bool, now: datetime
) -> list[str]:
    """Plain-words steps for the customer, from what actually happened this turn (none when
    nothing calls for one)."""
    steps = []
    if escalated:
        steps.append("A member of our team will contact you by email.")
    for action in actions:
        if action.type == "show_payment_form":
            steps.append(
                "Pay in the secure payment form"
                f"{_within(action.data.get('expires_at'), now)}; the price is held until then."
            )
    if not actions and trace.successes("upgrade_options"):
        steps.append("Choose a tier and a date from the calendar, and I will hold it for you.")
    return steps


def remembered_facts(trace: TurnTrace) -> list[str]:
    """Long-term facts from this turn: the customer's tickets, the tier they went for, and
    upgrades that are confirmed."""
    facts = []
    for listing in trace.successes("list_tickets"):
        for ticket in listing.get("tickets", ()):
            if isinstance(ticket, Mapping) and "number" in ticket:
                facts.append(
                    f"Holds ticket {ticket['number']} ({ticket.get('tier')}, visit "
                    f"{ticket.get('visit_date')})."
                )
    for order in trace.successes("quote_upgrade"):
        if order.get("tier"):
            facts.append(f"Likes the {order['tier']} tier.")
    for order in trace.successes("order_status"):
        if order.get("status") == "confirmed":
            facts.append(
                f"Upgraded ticket {order.get('ticket')} to {order.get('tier')} for "
                f"{order.get('visit_date') or order.get('date')}."
            )
    return facts


def _within(expires_at: Any, now: datetime) -> str:
    """ " within N minutes" of the hold's expiry (time-zone free), or nothing if unreadable."""
    try:
        expires = datetime.fromisoformat(str(expires_at).replace("Z", "+00:00"))
        minutes = max(1, round((expires - now).total_seconds() / 60))
    except (TypeError, ValueError):
        return ""
    return f" within {minutes} minute{'s' if minutes != 1 else ''}"
