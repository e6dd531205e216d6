"""Property 1 (the Ticket Agent's reasoning), through the reasoning port.

With the rule-based reasoner on generated requests: ticket references in any case and place,
tier names and synonyms, dates in many phrasings, all in one message or spread over several,
give the tool calls a model would make, with the right ticket, tier and ISO date, and the
answer reflects what the tool returned. With the Bedrock adapter on stubbed Converse answers:
the tool calls it reports are the model's, their results go back to the model in the next
request (checked by the Stubber against the expected parameters), and the final answer is the
model's answer built on them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import boto3
from botocore.stub import Stubber
from hypothesis import given
from hypothesis import strategies as st

from adapters.clock import FixedClock
from adapters.reasoning.bedrock_converse import DEFAULT_MODEL_ID, BedrockConverseReasoner
from adapters.reasoning.rule_based import RuleBasedReasoner
from application.ports.reasoning import Message, StopReason, ToolResult
from tests.conftest import NOW
from tests.property.support import instants
from tests.support.reasoning import TOOL_SPECS, specs

PARK = ZoneInfo("America/Los_Angeles")
SYNONYMS = {
    "standard": ["standard", "Standard", "the regular upgrade", "a basic upgrade"],
    "non-stop": ["non-stop", "Non-Stop", "nonstop", "non stop", "no queues", "fast pass"],
    "double-fun": ["double fun", "Double-Fun", "doublefun", "premium", "VIP", "the best one"],
}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 10: "ten", 12: "twelve"}


def cased(text: str, how: str) -> str:
    return {"upper": text.upper(), "lower": text.lower(), "title": text.title()}.get(how, text)


@st.composite
def tickets(draw: st.DrawFn) -> tuple[str, str]:
    """(as typed, as the tools expect it): a TKT- number in any case, or a UUID in any case."""
    if draw(st.booleans()):
        number = f"TKT-{draw(st.integers(min_value=0, max_value=99_999_999)):08d}"
        how = draw(st.sampled_from(["upper", "lower", "title", "asis"]))
        return cased(number, how).replace("Tkt", draw(st.sampled_from(["Tkt", "tKT"]))), number
    uuid = str(draw(st.uuids()))
    return (uuid.upper() if draw(st.booleans()) else uuid), uuid


@st.composite
def tiers(draw: st.DrawFn) -> tuple[str, str]:
    key = draw(st.sampled_from(sorted(SYNONYMS)))
    words = draw(st.sampled_from(SYNONYMS[key]))
    return cased(words, draw(st.sampled_from(["upper", "lower", "asis"]))), key


def _phrase(kind: str, day: date, offset: int) -> str:
    month, month_short, nth = f"{day:%B}", f"{day:%b}", f"{day.day}{_suffix(day.day)}"
    weeks = offset // 7
    return {
        "iso": f"on {day.isoformat()}",
        "month day": f"on {month_short} {day.day}",
        "month nth": f"on {month} {nth}",
        "day month": f"on {day.day} {month_short}",
        "nth of month": f"on the {nth} of {month}",
        "month day, year": f"{month} {day.day}, {day.year}",
        "day month year": f"{day.day} {month} {day.year}",
        "today": "today",
        "tomorrow": "tomorrow",
        "day after tomorrow": "the day after tomorrow",
        "in n days": f"in {offset} days",
        "in words days": f"in {NUMBER_WORDS.get(offset, '')} days",
        "in n weeks": f"in {NUMBER_WORDS.get(weeks, str(weeks))} weeks"
        if weeks > 1
        else "in a week",
        "this weekday": f"this {WEEKDAYS[day.weekday()]}",
        "next weekday": f"next {WEEKDAYS[day.weekday()]}",
    }[kind]


# The days ahead each phrasing can say.
_OFFSETS = {
    "today": st.just(0),
    "tomorrow": st.just(1),
    "day after tomorrow": st.just(2),
    "in n days": st.integers(min_value=2, max_value=300),
    "in words days": st.sampled_from(sorted(NUMBER_WORDS)),
    "in n weeks": st.integers(min_value=1, max_value=40).map(lambda weeks: weeks * 7),
    "this weekday": st.integers(min_value=0, max_value=6),
    "next weekday": st.integers(min_value=7, max_value=13),
}


@st.composite
def dates(draw: st.DrawFn, today: date) -> tuple[str, date]:
    """A date from today to 300 days on, phrased one of the ways a customer might (each way
    equally likely), with the date it means (by construction, not by parsing)."""
    kind = draw(
        st.sampled_from(
            [
                "iso",
                "month day",
                "month nth",
                "day month",
                "nth of month",
                "month day, year",
                "day month year",
                *_OFFSETS,
            ]
        )
    )
    offset = draw(_OFFSETS.get(kind, st.integers(min_value=0, max_value=300)))
    day = today + timedelta(days=offset)
    phrase = _phrase(kind, day, offset)
    return cased(phrase, draw(st.sampled_from(["lower", "asis"]))), day


def _suffix(day: int) -> str:
    if day in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def park_today(now: datetime) -> date:
    return now.astimezone(PARK).date()


# -- the rule-based reasoner -----------------------------------------------------------------


@given(now=instants, data=st.data())
def test_a_booking_request_holds_the_named_tier_on_the_named_date(
    now: datetime, data: st.DataObject
) -> None:
    """Feature: ticket-auto-process, Property 1: For any customer request related to ticket upgrades, the Ticket Agent should use LLM reasoning to produce appropriate responses and workflow guidance that address the customer's needs

    However the ticket, the tier and the date are written and in whatever order they come, a
    request to book gives exactly one `quote_upgrade` call with the ticket as the tools expect
    it, the tier's key and the ISO date."""  # noqa: E501
    reasoner = RuleBasedReasoner(FixedClock(now), "America/Los_Angeles")
    typed_ticket, ticket = data.draw(tickets())
    typed_tier, tier = data.draw(tiers())
    typed_date, day = data.draw(dates(park_today(now)))
    prefix = data.draw(st.sampled_from(["for ", "for ticket ", "ticket ", "on my ticket "]))
    pieces = data.draw(st.permutations([prefix + typed_ticket, typed_tier, typed_date]))
    opener = data.draw(st.sampled_from(["Please book", "I'd like to book", "Book", "Reserve"]))
    closer = data.draw(st.sampled_from(["", ".", " please", "!", " thanks"]))
    text = f"{opener} {' '.join(pieces)}{closer}"

    reply = reasoner.reply("", [Message("user", text)], TOOL_SPECS)

    assert reply.stop_reason is StopReason.TOOL_USE, text
    assert [(c.name, dict(c.arguments)) for c in reply.tool_calls] == [
        ("quote_upgrade", {"ticket": ticket, "tier": tier, "date": day.isoformat()})
    ], text


@given(now=instants, data=st.data())
def test_details_given_over_several_turns_are_not_asked_again(
    now: datetime, data: st.DataObject
) -> None:
    """Feature: ticket-auto-process, Property 1: For any customer request related to ticket upgrades, the Ticket Agent should use LLM reasoning to produce appropriate responses and workflow guidance that address the customer's needs

    A ticket, a tier and a date given in separate messages, in any order, make the same
    `quote_upgrade` call as one message would: nothing given earlier is asked for again."""  # noqa: E501
    reasoner = RuleBasedReasoner(FixedClock(now), "America/Los_Angeles")
    typed_ticket, ticket = data.draw(tickets())
    typed_tier, tier = data.draw(tiers())
    typed_date, day = data.draw(dates(park_today(now)))
    first, *rest = data.draw(st.permutations([f"ticket {typed_ticket}", typed_tier, typed_date]))
    messages = [Message("user", f"I'd like to upgrade, {first}")]
    for detail in rest:
        messages += [Message("assistant", "What else can you tell me?"), Message("user", detail)]

    reply = reasoner.reply("", messages, TOOL_SPECS)

    assert [(c.name, dict(c.arguments)) for c in reply.tool_calls] == [
        ("quote_upgrade", {"ticket": ticket, "tier": tier, "date": day.isoformat()})
    ], [m.text for m in messages]


@given(
    now=instants,
    data=st.data(),
    price=st.decimals(min_value=Decimal("60"), max_value=Decimal("250"), places=2),
    credit=st.decimals(min_value=Decimal("0"), max_value=Decimal("59"), places=2),
    available=st.booleans(),
)
def test_a_price_question_looks_the_date_up_and_answers_with_what_the_tool_said(
    now: datetime, data: st.DataObject, price: Decimal, credit: Decimal, available: bool
) -> None:
    """Feature: ticket-auto-process, Property 1: For any customer request related to ticket upgrades, the Ticket Agent should use LLM reasoning to produce appropriate responses and workflow guidance that address the customer's needs

    A price question never holds anything: it asks `upgrade_options` for that ticket and that
    one date, and answers with the amount due the calendar gave for the tier asked about (and
    offers to hold it), or says why it cannot be booked."""  # noqa: E501
    reasoner = RuleBasedReasoner(FixedClock(now), "America/Los_Angeles")
    typed_ticket, ticket = data.draw(tickets())
    typed_tier, tier = data.draw(tiers())
    typed_date, day = data.draw(dates(park_today(now)))
    question = data.draw(st.sampled_from(["How much is {} {} {}?", "What would {} cost {} {}?"]))
    text = question.format(typed_tier, f"for {typed_ticket}", typed_date)
    messages = [Message("user", text)]

    step = reasoner.reply("", messages, TOOL_SPECS)
    assert [(c.name, dict(c.arguments)) for c in step.tool_calls] == [
        ("upgrade_options", {"ticket": ticket, "start": day.isoformat(), "days": 1})
    ], text

    due = price - credit
    option = {
        "price": str(price),
        "amount_due": str(due) if available else None,
        "remaining": 5 if available else 0,
        "available": available,
        "reason": None if available else "sold_out",
    }
    options = {
        "currency": "USD",
        "tiers": [{"key": tier, "name": tier, "rank": 1, "features": ["Park entry"]}],
        "calendar": [{"date": day.isoformat(), "day_type": "regular", "tiers": {tier: option}}],
    }
    call = step.tool_calls[0]
    messages += [
        Message("assistant", tool_calls=(call,)),
        Message("user", tool_results=(ToolResult(call.id, options),)),
    ]
    answer = reasoner.reply("", messages, TOOL_SPECS)

    assert answer.stop_reason is StopReason.END_TURN
    assert ticket in answer.text
    if available:
        assert f"costs ${due:.2f}" in answer.text
        assert "Shall I hold" in answer.text
    else:
        assert "cannot be booked" in answer.text
        assert "sold out" in answer.text


@given(
    text=st.text(max_size=200),
    offered=st.sets(st.sampled_from([spec.name for spec in TOOL_SPECS])),
)
def test_any_message_gets_an_answer_or_an_offered_tool_call(text: str, offered: set[str]) -> None:
    """Feature: ticket-auto-process, Property 1: For any customer request related to ticket upgrades, the Ticket Agent should use LLM reasoning to produce appropriate responses and workflow guidance that address the customer's needs

    Whatever is typed, the reasoner answers in words or asks for tools it was offered, never
    one it was not, and never fails."""  # noqa: E501
    reasoner = RuleBasedReasoner(FixedClock(NOW), "America/Los_Angeles")
    reply = reasoner.reply("", [Message("user", text)], specs(*offered) if offered else ())
    if reply.stop_reason is StopReason.TOOL_USE:
        assert reply.tool_calls
        assert {call.name for call in reply.tool_calls} <= offered
    else:
        assert reply.stop_reason is StopReason.END_TURN
        assert reply.text.strip()
        assert not reply.tool_calls


# -- the Bedrock adapter, on stubbed Converse answers ----------------------------------------

CLIENT = boto3.client(
    "bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
)
TOOL_CONFIG = {
    "tools": [
        {
            "toolSpec": {
                "name": spec.name,
                "description": spec.description,
                "inputSchema": {"json": dict(spec.input_schema)},
            }
        }
        for spec in TOOL_SPECS
    ]
}


def _response(content: list[dict[str, Any]], stop_reason: str) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop_reason,
        "usage": {"inputTokens": 1402, "outputTokens": 88, "totalTokens": 1490},
        "metrics": {"latencyMs": 1187},
    }


def _request(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "modelId": DEFAULT_MODEL_ID,
        "messages": messages,
        "system": [{"text": "You are the Ticket Agent."}],
        "inferenceConfig": {"maxTokens": 1024, "temperature": 0.2},
        "toolConfig": TOOL_CONFIG,
    }


@given(
    data=st.data(),
    call_id=st.from_regex(r"tooluse_[A-Za-z0-9_-]{1,40}", fullmatch=True),
    due=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("300"), places=2),
    order_id=st.uuids(),
    refused=st.booleans(),
)
def test_the_model_s_tool_calls_results_and_answer_go_through_the_port(
    data: st.DataObject, call_id: str, due: Decimal, order_id: object, refused: bool
) -> None:
    """Feature: ticket-auto-process, Property 1: For any customer request related to ticket upgrades, the Ticket Agent should use LLM reasoning to produce appropriate responses and workflow guidance that address the customer's needs

    With a language model (Converse, stubbed): the request carries the customer's words and
    the tools; the model's `toolUse` comes back as the same tool call; the tool's result, or
    its refusal, goes back as a `toolResult` of that call in the next request; and the model's
    final answer, written from that result, is the reply."""  # noqa: E501
    typed_ticket, ticket = data.draw(tickets())
    typed_tier, tier = data.draw(tiers())
    typed_date, day = data.draw(dates(date(2026, 3, 10)))
    text = f"Book {typed_tier} for {typed_ticket} {typed_date}"
    arguments = {"ticket": ticket, "tier": tier, "date": day.isoformat()}
    if refused:
        result = ToolResult(
            call_id,
            {"code": "sold_out", "message": "That day is sold out.", "guidance": "Pick another."},
            is_error=True,
            code="sold_out",
        )
        final = "Sorry, that day is sold out. Would another date suit you?"
    else:
        order = {
            "id": str(order_id),
            "status": "pending",
            "amount_due": str(due),
            "currency": "USD",
        }
        result = ToolResult(call_id, order)
        final = f"Done: your upgrade is held. ${due} to pay in the secure payment form."
    user = {"role": "user", "content": [{"text": text}]}
    tool_use = {"toolUse": {"toolUseId": call_id, "name": "quote_upgrade", "input": arguments}}
    tool_result = {
        "toolResult": {
            "toolUseId": call_id,
            "content": [{"json": result.content}],
            "status": "error" if refused else "success",
        }
    }
    reasoner = BedrockConverseReasoner(CLIENT)

    with Stubber(CLIENT) as stub:
        stub.add_response(
            "converse",
            _response([{"text": "<thinking>Quote it.</thinking>"}, tool_use], "tool_use"),
            _request([user]),
        )
        stub.add_response(
            "converse",
            _response([{"text": final}], "end_turn"),
            _request(
                [
                    user,
                    {"role": "assistant", "content": [tool_use]},
                    {"role": "user", "content": [tool_result]},
                ]
            ),
        )
        messages = [Message("user", text)]
        step = reasoner.reply("You are the Ticket Agent.", messages, TOOL_SPECS)
        assert step.stop_reason is StopReason.TOOL_USE
        assert [(c.id, c.name, dict(c.arguments)) for c in step.tool_calls] == [
            (call_id, "quote_upgrade", arguments)
        ]
        messages += [
            Message("assistant", step.text, tool_calls=step.tool_calls),
            Message("user", tool_results=(result,)),
        ]
        answer = reasoner.reply("You are the Ticket Agent.", messages, TOOL_SPECS)
        stub.assert_no_pending_responses()

    assert answer.stop_reason is StopReason.END_TURN
    assert answer.text == final
    assert (f"${due}" in answer.text) is not refused
