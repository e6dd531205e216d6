"""Wire shapes: pydantic models for what clients send, msgspec structs for what we answer.

snake_case, money as strings, dates ISO 8601. Rendering functions turn use-case results into
answers; nothing here decides anything.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from uuid import UUID

import msgspec
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from application.conversation.answers import AgentResponse, ChatHistory
from application.results import (
    CustomerResult,
    OrderResult,
    TicketResult,
    UpgradeOptionsResult,
)
from domain.eligibility import Eligibility
from domain.errors import InvalidInputError

# -- requests --------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def calendar_date(text: str, field: str) -> dt.date:
    """A YYYY-MM-DD date, strictly: lax parsers read "null" as absent or a number as a
    timestamp, and a visit date is neither."""
    try:
        if _ISO_DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInputError(
        "invalid_date", f"{field} must be a date written YYYY-MM-DD.", "For example 2026-12-05."
    )


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=320)


class RegisterRequest(_Request):
    email: str = Field(min_length=3, max_length=254, examples=["ana@example.com"])
    password: str = Field(min_length=1, max_length=256)
    first_name: str = Field(max_length=200)
    last_name: str = Field(max_length=200)


class LoginRequest(_Request):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class UpdateMeRequest(_Request):
    email: str | None = Field(default=None, max_length=254)
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _something_to_change(self) -> UpdateMeRequest:
        if self.email is None and self.first_name is None and self.last_name is None:
            raise ValueError("send at least one of email, first_name, last_name")
        return self


class QuoteRequest(_Request):
    ticket: str = Field(min_length=1, max_length=64, description="TKT-12345678 or the ticket's id")
    tier: str = Field(min_length=1, max_length=32, examples=["non-stop"])
    day: dt.date = Field(alias="date", description="The visit date, YYYY-MM-DD")

    @field_validator("day", mode="before")
    @classmethod
    def _calendar_date(cls, value: object) -> object:
        # Lax mode would read 1774569600 (or "1774569600") as a UTC timestamp; a visit date is
        # a calendar date at the park, never a timestamp (DOMAIN.md, "Park").
        if not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
            raise ValueError("must be a date written YYYY-MM-DD")
        return value


class CardRequest(_Request):
    number: str = Field(pattern=r"^[0-9 -]{12,23}$", examples=["4242 4242 4242 4242"])
    exp_month: int = Field(ge=1, le=12)
    exp_year: int = Field(ge=0, le=9999)
    cvc: str = Field(pattern=r"^[0-9]{3,4}$")
    name: str = Field(min_length=1, max_length=100)

    @field_validator("exp_month", "exp_year", mode="before")
    @classmethod
    def _json_integer(cls, value: object) -> object:
        # Litestar validates in lax mode, which reads `true` as month 1 and "12" or 12.0 as 12.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be a JSON integer")
        return value

    def __repr__(self) -> str:  # never show the number or the CVC
        return "CardRequest(<redacted>)"


class PaymentRequest(_Request):
    card: CardRequest


# -- answers ---------------------------------------------------------------------------------


class EligibilityOut(msgspec.Struct):
    eligible: bool
    code: str | None
    message: str
    guidance: str


class TicketOut(msgspec.Struct):
    id: UUID
    number: str
    tier: str
    visit_date: dt.date
    status: str
    price_paid: str
    currency: str
    eligibility: EligibilityOut


class TierOut(msgspec.Struct):
    key: str
    name: str
    rank: int
    features: list[str]


class TierDayOut(msgspec.Struct):
    price: str
    amount_due: str | None
    remaining: int
    available: bool
    reason: str | None


class CalendarDayOut(msgspec.Struct):
    date: dt.date
    day_type: str
    closed: bool
    tiers: dict[str, TierDayOut]


class UpgradeOptionsOut(msgspec.Struct):
    ticket: TicketOut
    currency: str
    first_bookable: dt.date
    last_bookable: dt.date
    tiers: list[TierOut]
    calendar: list[CalendarDayOut]


class PaymentOut(msgspec.Struct):
    brand: str
    last4: str


class EmailOut(msgspec.Struct):
    id: UUID  # also the email's Message-ID: a resend carries the same one
    kind: str
    status: str  # pending, sent, failed
    attempts: int
    created_at: dt.datetime
    sent_at: dt.datetime | None


class OrderOut(msgspec.Struct):
    id: UUID
    status: str
    ticket: str
    ticket_id: UUID
    tier: str
    date: dt.date
    price: str
    amount_due: str
    currency: str
    created_at: dt.datetime
    expires_at: dt.datetime
    confirmation_code: str | None
    payment: PaymentOut | None
    email_status: str | None
    attempts_left: int
    last_decline_code: str | None
    previous_tier: str
    previous_date: dt.date
    emails: list[EmailOut]


class CustomerOut(msgspec.Struct):
    id: UUID
    email: str
    first_name: str
    last_name: str
    created_at: dt.datetime
    updated_at: dt.datetime


class TokenOut(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int


class PaymentGatewayHealthOut(msgspec.Struct):
    breaker: str  # closed, open (failing fast), half_open (letting calls through to test it)
    retry_after: int | None  # while open: seconds until calls are tried again


class HealthOut(msgspec.Struct):
    status: str  # ok, or degraded while the payment gateway's breaker is open
    profile: str
    version: str
    time: dt.datetime
    payment_gateway: PaymentGatewayHealthOut


# -- rendering -------------------------------------------------------------------------------


def eligibility_out(eligibility: Eligibility) -> EligibilityOut:
    return EligibilityOut(
        eligible=eligibility.eligible,
        code=eligibility.code.value if eligibility.code else None,
        message=eligibility.message,
        guidance=eligibility.guidance,
    )


def ticket_out(result: TicketResult) -> TicketOut:
    ticket = result.ticket
    return TicketOut(
        id=ticket.id,
        number=ticket.number.value,
        tier=ticket.tier.key,
        visit_date=ticket.visit_date,
        status=ticket.status.value,
        price_paid=str(ticket.price_paid),
        currency=ticket.price_paid.currency,
        eligibility=eligibility_out(result.eligibility),
    )


def options_out(result: UpgradeOptionsResult, ticket: TicketOut) -> UpgradeOptionsOut:
    calendar = [
        CalendarDayOut(
            date=day.day,
            day_type=day.day_type.value,
            closed=day.closed,
            tiers={
                tier.key: TierDayOut(
                    price=str(option.price),
                    amount_due=None if option.amount_due is None else str(option.amount_due),
                    remaining=option.remaining,
                    available=option.available,
                    reason=option.reason.value if option.reason else None,
                )
                for tier, option in day.options.items()
            },
        )
        for day in result.calendar
    ]
    return UpgradeOptionsOut(
        ticket=ticket,
        currency=result.currency,
        first_bookable=result.first_bookable,
        last_bookable=result.last_bookable,
        tiers=[TierOut(t.key, t.name, t.rank, list(t.features)) for t in result.tiers],
        calendar=calendar,
    )


def order_out(result: OrderResult) -> OrderOut:
    order = result.order
    payment = order.payment
    return OrderOut(
        id=order.id,
        status=result.status.value,
        ticket=order.ticket_number.value,
        ticket_id=order.ticket_id,
        tier=order.tier.key,
        date=order.day,
        price=str(order.price),
        amount_due=str(order.amount_due),
        currency=order.amount_due.currency,
        created_at=order.created_at,
        expires_at=order.expires_at,
        confirmation_code=str(order.confirmation_code) if order.confirmation_code else None,
        payment=PaymentOut(payment.brand, payment.last4) if payment else None,
        email_status=result.email_status,
        attempts_left=result.attempts_left,
        last_decline_code=order.last_decline_code,
        previous_tier=order.from_tier.key,
        previous_date=order.from_date,
        emails=[
            EmailOut(e.id, e.kind, e.status, e.attempts, e.created_at, e.sent_at)
            for e in result.emails
        ],
    )


def customer_out(result: CustomerResult) -> CustomerOut:
    customer = result.customer
    return CustomerOut(
        id=customer.id,
        email=customer.email.value,
        first_name=customer.first_name,
        last_name=customer.last_name,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


# -- conversations ------------------------------------------------------------------------------


class ChatRequest(msgspec.Struct, forbid_unknown_fields=True):
    message: str
    session_id: str | None = None  # leave out to start a new conversation


class AgentActionOut(msgspec.Struct):
    type: str  # show_payment_form, escalate
    data: dict[str, Any]


class AgentResponseOut(msgspec.Struct):
    session_id: str
    response_text: str
    actions: list[AgentActionOut]
    next_steps: list[str]
    confidence_score: float
    escalated: bool


class ChatMessageOut(msgspec.Struct):
    role: str  # user, assistant
    text: str


class ChatEventOut(msgspec.Struct):
    id: str
    at: dt.datetime
    messages: list[ChatMessageOut]


class ChatHistoryOut(msgspec.Struct):
    session_id: str
    events: list[ChatEventOut]


def agent_response_out(response: AgentResponse) -> AgentResponseOut:
    return AgentResponseOut(
        session_id=response.session_id,
        response_text=response.response_text,
        actions=[AgentActionOut(a.type, dict(a.data)) for a in response.actions],
        next_steps=list(response.next_steps),
        confidence_score=response.confidence_score,
        escalated=response.escalated,
    )


def chat_history_out(history: ChatHistory) -> ChatHistoryOut:
    return ChatHistoryOut(
        session_id=history.session_id,
        events=[
            ChatEventOut(
                e.id, e.at, [ChatMessageOut(m.role.value.lower(), m.text) for m in e.messages]
            )
            for e in history.events
        ],
    )
