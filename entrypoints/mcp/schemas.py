"""What the Data Agent's tools answer: pydantic models (their JSON Schema is each tool's
`outputSchema`), and the strict parsing of the few arguments that are not plain text.

Money travels as strings, dates as YYYY-MM-DD, like the HTTP API's answers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from pydantic import BaseModel

from application.results import CustomerResult, OrderResult, TicketResult, UpgradeOptionsResult
from application.use_cases.run_data_request import DataRequestResult
from domain.eligibility import Eligibility
from domain.errors import InvalidInputError
from domain.ids import OrderId
from entrypoints.http import schemas as api

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def calendar_date(text: str, field: str) -> dt.date:
    """A YYYY-MM-DD date, strictly (a visit date is a calendar date at the park, never a
    timestamp), or `InvalidInputError` (`invalid_date`) as the HTTP API answers."""
    try:
        if _ISO_DATE.fullmatch(text.strip()):
            return dt.date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise InvalidInputError(
        "invalid_date", f"{field} must be a date written YYYY-MM-DD.", "For example 2026-12-05."
    )


def parse_order_id(text: str) -> OrderId:
    try:
        return OrderId(UUID(text.strip()))
    except ValueError:
        raise InvalidInputError(
            "invalid_order_id",
            f"{text[:60]!r} is not an order id.",
            "Use the order's id as the quote gave it (a UUID).",
        ) from None


# -- answers ---------------------------------------------------------------------------------


class EligibilityOut(BaseModel):
    eligible: bool
    code: str | None  # None when eligible
    message: str
    guidance: str


class TicketOut(BaseModel):
    id: UUID
    number: str
    tier: str
    visit_date: dt.date
    status: str
    price_paid: str
    currency: str
    eligibility: EligibilityOut


class TicketsOut(BaseModel):
    tickets: list[TicketOut]  # soonest visit first


class TierOut(BaseModel):
    key: str
    name: str
    rank: int
    features: list[str]


class TierDayOut(BaseModel):
    price: str
    amount_due: str | None  # what upgrading this ticket costs; None when not available
    remaining: int
    available: bool
    reason: str | None  # why not available


class CalendarDayOut(BaseModel):
    date: dt.date
    day_type: str
    closed: bool
    tiers: dict[str, TierDayOut]


class UpgradeOptionsOut(BaseModel):
    ticket: TicketOut
    currency: str
    first_bookable: dt.date
    last_bookable: dt.date
    tiers: list[TierOut]
    calendar: list[CalendarDayOut]


class PaymentOut(BaseModel):
    brand: str
    last4: str


class OrderOut(BaseModel):
    id: UUID
    status: str  # pending, processing, confirmed, expired, cancelled, failed, refunded
    ticket: str
    ticket_id: UUID
    tier: str
    date: dt.date
    price: str
    amount_due: str
    currency: str
    created_at: dt.datetime
    expires_at: dt.datetime  # a pending quote holds its unit until then
    confirmation_code: str | None
    payment: PaymentOut | None
    attempts_left: int
    last_decline_code: str | None
    previous_tier: str
    previous_date: dt.date
    email_status: str | None


class CustomerOut(BaseModel):
    id: UUID
    email: str
    first_name: str
    last_name: str


class ToolCallOut(BaseModel):
    tool: str
    arguments: dict[str, Any]
    ok: bool
    code: str | None  # the refusal's code; None when ok


class DataRequestOut(BaseModel):
    answer: str  # plain words
    calls: list[ToolCallOut]  # in the order they were made
    data: dict[str, Any] | None  # what the last successful call answered; None if none did


# -- rendering -------------------------------------------------------------------------------


M = TypeVar("M", bound=BaseModel)


def _from_api(model: type[M], rendered: msgspec.Struct) -> M:
    """The HTTP API's rendering, read into the tool's declared model (which the MCP SDK needs
    for its output schema): the Data Agent answers in the API's shapes, written once."""
    return model.model_validate(msgspec.to_builtins(rendered))


def eligibility_out(eligibility: Eligibility) -> EligibilityOut:
    return _from_api(EligibilityOut, api.eligibility_out(eligibility))


def ticket_out(result: TicketResult) -> TicketOut:
    return _from_api(TicketOut, api.ticket_out(result))


def options_out(result: UpgradeOptionsResult) -> UpgradeOptionsOut:
    ticket = api.ticket_out(TicketResult(result.ticket, result.eligibility))
    return _from_api(UpgradeOptionsOut, api.options_out(result, ticket))


def order_out(result: OrderResult) -> OrderOut:
    return _from_api(OrderOut, api.order_out(result))


def customer_out(result: CustomerResult) -> CustomerOut:
    return _from_api(CustomerOut, api.customer_out(result))


def data_request_out(result: DataRequestResult) -> DataRequestOut:
    data = result.data
    if data is not None and not isinstance(data, Mapping):
        data = {"result": data}  # structured tools answer objects; kept whole all the same
    return DataRequestOut(
        answer=result.answer,
        calls=[
            ToolCallOut(tool=call.tool, arguments=dict(call.arguments), ok=call.ok, code=call.code)
            for call in result.calls
        ],
        data=None if data is None else dict(data),
    )
