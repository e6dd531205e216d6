"""Tools for testing reasoners: the Data Agent's tools run by the real use cases (memory
profile), answering in the HTTP API's JSON shapes, and the tool loop the Ticket Agent runs.

The Data Agent (MCP) is tested on its own; here its tools are stood in for by the same use
cases, so that a reasoner's answers are checked against prices and rules really computed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from application.ports.reasoning import Message, Reasoner, Reply, StopReason, ToolResult, ToolSpec
from application.results import TicketResult
from application.use_cases.customers import UpdateCustomerCommand
from application.use_cases.get_upgrade_options import GetUpgradeOptionsCommand
from application.use_cases.quote_upgrade import QuoteUpgradeCommand
from domain.errors import DomainError, InvalidInputError
from domain.ids import CustomerId, OrderId
from entrypoints.http.schemas import (
    customer_out,
    eligibility_out,
    options_out,
    order_out,
    ticket_out,
)
from entrypoints.mcp.server import MAX_CALENDAR_DAYS
from infra.container import Container

_TICKET = {"type": "string", "description": "TKT- and 8 digits, or the ticket's id"}
_TIER = {"type": "string", "enum": ["standard", "non-stop", "double-fun"]}
_DATE = {"type": "string", "format": "date"}


def _schema(required: Sequence[str] = (), **properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required)}


TOOL_SPECS: tuple[ToolSpec, ...] = (
    ToolSpec("find_customer", "The signed-in customer's details.", _schema()),
    ToolSpec("list_tickets", "The customer's tickets.", _schema()),
    ToolSpec("get_ticket", "One ticket and its eligibility.", _schema(["ticket"], ticket=_TICKET)),
    ToolSpec(
        "check_eligibility",
        "Whether a ticket can be upgraded, and why not.",
        _schema(["ticket"], ticket=_TICKET),
    ),
    ToolSpec(
        "upgrade_options",
        "The three tiers and a priced calendar for a ticket.",
        _schema(["ticket"], ticket=_TICKET, start=_DATE, days={"type": "integer"}),
    ),
    ToolSpec(
        "quote_upgrade",
        "Hold an upgrade: a quote with the amount due.",
        _schema(["ticket", "tier", "date"], ticket=_TICKET, tier=_TIER, date=_DATE),
    ),
    ToolSpec(
        "order_status", "Where an order stands.", _schema(["order_id"], order_id={"type": "string"})
    ),
    ToolSpec(
        "record_payment",
        "Record a verified payment.",
        _schema(["order_id"], order_id={"type": "string"}),
    ),
    ToolSpec(
        "update_customer",
        "Change the customer's email or names.",
        _schema(
            email={"type": "string"}, first_name={"type": "string"}, last_name={"type": "string"}
        ),
    ),
)


# Not one of the Data Agent's tools (yet): the reasoner uses it when it is offered.
CANCEL_SPEC = ToolSpec(
    "cancel_upgrade", "Cancel a held upgrade.", _schema(["order_id"], order_id={"type": "string"})
)


def specs(*names: str) -> tuple[ToolSpec, ...]:
    """The specs of the named tools only (all of them when none are named)."""
    return tuple(spec for spec in TOOL_SPECS if not names or spec.name in names)


def _json(value: Any) -> Any:
    return msgspec.to_builtins(value)


@dataclass
class UseCaseTools:
    """The Data Agent's tools for one customer, run by the use cases; records every call."""

    container: Container
    customer_id: CustomerId
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def call(self, call_id: str, name: str, arguments: Mapping[str, Any]) -> ToolResult:
        self.calls.append((name, dict(arguments)))
        handler: Callable[..., Any] = getattr(self, f"_{name}")
        try:
            return ToolResult(call_id, _json(handler(**arguments)))
        except DomainError as error:
            content = {"code": error.code, "message": error.message, "guidance": error.guidance}
            return ToolResult(call_id, content, is_error=True, code=error.code)

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def _find_customer(self) -> Any:
        return customer_out(self.container.get_customer()(self.customer_id))

    def _list_tickets(self) -> Any:
        found = self.container.list_my_tickets()(self.customer_id)
        return {"tickets": [ticket_out(result) for result in found]}

    def _get_ticket(self, ticket: str) -> Any:
        return ticket_out(self.container.get_ticket()(self.customer_id, ticket))

    def _check_eligibility(self, ticket: str) -> Any:
        return eligibility_out(self.container.check_eligibility()(self.customer_id, ticket))

    def _upgrade_options(self, ticket: str, start: str | None = None, days: int = 14) -> Any:
        if not 1 <= days <= MAX_CALENDAR_DAYS:  # as the Data Agent refuses it
            raise InvalidInputError("invalid_days", f"days must be 1 to {MAX_CALENDAR_DAYS}.")
        first = date.fromisoformat(start) if start else None
        command = GetUpgradeOptionsCommand(self.customer_id, ticket, first, days)
        result = self.container.get_upgrade_options()(command)
        return options_out(result, ticket_out(TicketResult(result.ticket, result.eligibility)))

    def _quote_upgrade(self, ticket: str, tier: str, date: str) -> Any:
        command = QuoteUpgradeCommand(self.customer_id, ticket, tier, _day(date))
        return order_out(self.container.quote_upgrade()(command))

    def _order_status(self, order_id: str) -> Any:
        return order_out(self.container.get_order()(self.customer_id, OrderId(UUID(order_id))))

    def _cancel_upgrade(self, order_id: str) -> Any:
        return order_out(self.container.cancel_upgrade()(self.customer_id, OrderId(UUID(order_id))))

    def _update_customer(self, **changes: str) -> Any:
        command = UpdateCustomerCommand(self.customer_id, **changes)
        return customer_out(self.container.update_customer()(command))


def _day(text: str) -> date:
    return date.fromisoformat(text)


@dataclass
class Conversation:
    """The Ticket Agent's loop, kept small: each customer message is answered by asking the
    reasoner, running the tools it asks for and asking again, at most `max_steps` times.
    History keeps only the texts, as the Ticket Agent's memory does."""

    reasoner: Reasoner
    tools: UseCaseTools
    offered: Sequence[ToolSpec] = TOOL_SPECS
    history: list[Message] = field(default_factory=list)
    max_steps: int = 6

    def say(self, text: str) -> Reply:
        messages = [*self.history, Message("user", text)]
        for _ in range(self.max_steps):
            reply = self.reasoner.reply("You are the Ticket Agent.", messages, self.offered)
            if reply.stop_reason is not StopReason.TOOL_USE:
                self.history += [Message("user", text), Message("assistant", reply.text)]
                return reply
            results = tuple(
                self.tools.call(call.id, call.name, call.arguments) for call in reply.tool_calls
            )
            messages += [
                Message("assistant", reply.text, tool_calls=reply.tool_calls),
                Message("user", tool_results=results),
            ]
        raise AssertionError(f"no answer after {self.max_steps} steps to {text!r}")
