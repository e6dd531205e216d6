"""The rule-based reasoner: what it reads in customers' words, the tool calls it makes (only
those offered), and answers built from what the tools really answered.

The tools are the Data Agent's, run here by the real use cases on the memory profile (see
tests/support/reasoning.py), so prices, eligibility and orders are the application's own.
Today at the park is Tuesday 10 March 2026.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from adapters.clock import FixedClock
from adapters.reasoning import phrases
from adapters.reasoning.rule_based import RuleBasedReasoner
from application.ports.reasoning import Message, Reply, StopReason, ToolCall, ToolResult, ToolSpec
from application.use_cases.get_upgrade_options import GetUpgradeOptionsCommand
from domain.ids import CustomerId
from domain.tickets import Ticket, TicketStatus
from domain.tiers import Tier
from tests.builders import World
from tests.support.reasoning import (
    CANCEL_SPEC,
    TOOL_SPECS,
    Conversation,
    UseCaseTools,
    specs,
)

PARK = "America/Los_Angeles"
TODAY = date(2026, 3, 10)


@pytest.fixture
def reasoner(clock: FixedClock) -> RuleBasedReasoner:
    return RuleBasedReasoner(clock, PARK)


def first_step(
    reasoner: RuleBasedReasoner, text: str, tools: Sequence[ToolSpec] = TOOL_SPECS
) -> Reply:
    return reasoner.reply("", [Message("user", text)], tools)


def only_call(reply: Reply) -> ToolCall:
    assert reply.stop_reason is StopReason.TOOL_USE, reply.text
    assert len(reply.tool_calls) == 1
    return reply.tool_calls[0]


@pytest.fixture
def customer(world: World) -> CustomerId:
    return world.customer(first="Ana", last="Lopez", email="ana@example.com")


def chat(world: World, customer: CustomerId, reasoner: RuleBasedReasoner) -> Conversation:
    return Conversation(reasoner, UseCaseTools(world.container, customer))


def amount_due(world: World, owner: CustomerId, ticket: Ticket, tier: Tier, day: date) -> str:
    command = GetUpgradeOptionsCommand(owner, ticket.number.value, day, 1)
    options = world.container.get_upgrade_options()(command)
    return f"${options.calendar[0].options[tier].amount_due.amount}"


# -- reading the customer's words -------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("on 2026-12-05", date(2026, 12, 5)),
        ("on Dec 5", date(2026, 12, 5)),
        ("on December 5th", date(2026, 12, 5)),
        ("on 5 Dec", date(2026, 12, 5)),
        ("on the 5th of December", date(2026, 12, 5)),
        ("on Dec. 5, 2027", date(2027, 12, 5)),
        ("on Jan 3", date(2027, 1, 3)),  # already past this year: next year's
        ("tomorrow", date(2026, 3, 11)),
        ("the day after tomorrow", date(2026, 3, 12)),
        ("this Saturday", date(2026, 3, 14)),
        ("next Saturday", date(2026, 3, 21)),
        ("on Friday", date(2026, 3, 13)),
        ("in two weeks", date(2026, 3, 24)),
        ("in 3 days", date(2026, 3, 13)),
        ("in a couple of days", date(2026, 3, 12)),
        ("three weeks from now", date(2026, 3, 31)),
        ("this weekend", date(2026, 3, 14)),
    ],
)
def test_dates_in_many_phrasings_become_the_iso_date_of_the_call(
    reasoner: RuleBasedReasoner, phrase: str, expected: date
) -> None:
    call = only_call(first_step(reasoner, f"How much is Non-stop for TKT-00000001 {phrase}?"))
    assert call.name == "upgrade_options"
    assert call.arguments == {"ticket": "TKT-00000001", "start": expected.isoformat(), "days": 1}


def test_today_is_the_parks_today_not_utcs() -> None:
    # 05:00 UTC on the 11th is still 22:00 on the 10th in Los Angeles.
    late = FixedClock(datetime(2026, 3, 11, 5, 0, tzinfo=UTC))
    reasoner = RuleBasedReasoner(late, PARK)
    call = only_call(first_step(reasoner, "price of nonstop for TKT-00000001 tomorrow?"))
    assert call.arguments["start"] == "2026-03-11"
    tokyo = RuleBasedReasoner(late, "Asia/Tokyo")  # already the 11th there
    assert (
        only_call(first_step(tokyo, "price of nonstop for TKT-00000001 tomorrow?")).arguments[
            "start"
        ]
        == "2026-03-12"
    )


def test_a_weekday_next_to_a_calendar_date_does_not_override_it() -> None:
    assert phrases.dates("Saturday 5 December 2026", TODAY) == [(9, date(2026, 12, 5))]
    assert phrases.dates("not Dec 5, Dec 12 please", TODAY)[-1][1] == date(2026, 12, 12)
    assert phrases.dates("Feb 30", TODAY) == []


@pytest.mark.parametrize(
    ("words", "tier"),
    [
        ("standard", "standard"),
        ("the regular upgrade", "standard"),
        ("Non-stop", "non-stop"),
        ("nonstop", "non-stop"),
        ("NON STOP", "non-stop"),
        ("the no queues one", "non-stop"),
        ("a fast pass", "non-stop"),
        ("double fun", "double-fun"),
        ("Double-Fun", "double-fun"),
        ("premium", "double-fun"),
        ("VIP", "double-fun"),
        ("the best one", "double-fun"),
    ],
)
def test_tier_names_and_synonyms(reasoner: RuleBasedReasoner, words: str, tier: str) -> None:
    call = only_call(first_step(reasoner, f"Please book {words} for TKT-00000001 on Dec 5"))
    assert call == ToolCall(
        call.id, "quote_upgrade", {"ticket": "TKT-00000001", "tier": tier, "date": "2026-12-05"}
    )


@pytest.mark.parametrize(
    ("text", "ticket"),
    [
        ("upgrade tkt-00001234 to premium on Dec 5", "TKT-00001234"),
        ("My ticket is Tkt-00001234, I want VIP on Dec 5.", "TKT-00001234"),
        ("VIP on Dec 5 (ticket TKT-00001234) please", "TKT-00001234"),
        (
            "book premium on Dec 5 for 0F8FAD5B-D9CB-469F-A165-70867728950E",
            "0f8fad5b-d9cb-469f-a165-70867728950e",
        ),
    ],
)
def test_ticket_references_in_any_case_inside_sentences(
    reasoner: RuleBasedReasoner, text: str, ticket: str
) -> None:
    call = only_call(first_step(reasoner, text))
    assert call.name == "quote_upgrade"
    assert call.arguments["ticket"] == ticket


def test_asking_the_price_never_holds_anything(reasoner: RuleBasedReasoner) -> None:
    for text in (
        "How much would it cost to book Non-stop for TKT-00000001 on Dec 5?",
        "What are my options for TKT-00000001 on Dec 5",
        "Is double fun available on Dec 5 for TKT-00000001?",
        "Can I upgrade TKT-00000001 to Non-stop on Dec 5?",
    ):
        assert only_call(first_step(reasoner, text)).name == "upgrade_options", text


# -- small talk, escalation, card numbers ---------------------------------------------------


@pytest.mark.parametrize("text", ["Hi", "hello!", "Good morning", "help", "what can you do?"])
def test_greetings_and_help_explain_what_it_can_do(reasoner: RuleBasedReasoner, text: str) -> None:
    reply = first_step(reasoner, text)
    assert reply.stop_reason is StopReason.END_TURN
    assert not reply.tool_calls
    assert "cheapest date" in reply.text
    assert "TKT-" in reply.text
    assert reply.confidence >= 0.9


@pytest.mark.parametrize(
    "text",
    [
        "I want a refund for TKT-00000001",
        "This is unacceptable, I want to complain",
        "I'll get my lawyer involved",
        "Can I speak to a human?",
        "let me talk to a real person please",
    ],
)
def test_refunds_complaints_legal_and_people_are_escalated(
    reasoner: RuleBasedReasoner, text: str
) -> None:
    reply = first_step(reasoner, text)
    assert reply.escalate is True
    assert not reply.tool_calls
    assert reply.stop_reason is StopReason.END_TURN
    assert "a person" in reply.text
    assert reply.confidence <= 0.3


def test_a_card_number_typed_in_chat_is_refused_and_never_repeated(
    reasoner: RuleBasedReasoner,
) -> None:
    reply = first_step(reasoner, "here is my card 4242 4242 4242 4242 exp 12/30 cvc 123")
    assert not reply.tool_calls
    assert "card" in reply.text
    assert "payment form" in reply.text
    assert "4242" not in reply.text
    redacted = first_step(reasoner, "my card is [card number removed]")
    assert redacted.text == reply.text


@pytest.mark.parametrize("text", ["asdfgh", "???", "the weather is nice", "1234", "🙂"])
def test_what_it_does_not_understand_gets_a_helpful_answer(
    reasoner: RuleBasedReasoner, text: str
) -> None:
    reply = first_step(reasoner, text)
    assert reply.stop_reason is StopReason.END_TURN
    assert not reply.tool_calls
    assert "did not understand" in reply.text
    assert "For example" in reply.text
    assert reply.confidence <= 0.3


def test_an_empty_conversation_is_not_a_crash(reasoner: RuleBasedReasoner) -> None:
    reply = reasoner.reply("", [], TOOL_SPECS)
    assert reply.stop_reason is StopReason.END_TURN
    assert reply.text


# -- only the tools it is offered ----------------------------------------------------------


def test_a_missing_tool_is_said_not_called(reasoner: RuleBasedReasoner) -> None:
    reply = first_step(
        reasoner, "book Non-stop for TKT-00000001 on Dec 5", specs("upgrade_options")
    )
    assert not reply.tool_calls
    assert "cannot hold an upgrade" in reply.text


def test_without_a_ticket_and_no_way_to_list_them_it_asks_for_the_number(
    reasoner: RuleBasedReasoner,
) -> None:
    reply = first_step(reasoner, "How much is Non-stop on Dec 5?", specs("upgrade_options"))
    assert not reply.tool_calls
    assert "TKT-" in reply.text
    assert "8 digits" in reply.text


def test_with_no_tools_at_all_it_still_answers(reasoner: RuleBasedReasoner) -> None:
    for text in (
        "what tickets do I have?",
        "status of my order 0f8fad5b-d9cb-469f-a165-70867728950e",
    ):
        reply = first_step(reasoner, text, ())
        assert not reply.tool_calls
        assert reply.text.startswith("Sorry, I cannot")


# -- answers from the tools' results ---------------------------------------------------------


def test_the_price_on_a_date_is_the_amount_due_the_calendar_gives(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    ticket = world.ticket(customer, visit_in=20)
    day = date(2026, 4, 18)  # a Saturday: weekend prices
    conversation = chat(world, customer, reasoner)
    reply = conversation.say(f"how much is the VIP upgrade for {ticket.number} on April 18?")
    assert conversation.tools.names() == ["upgrade_options"]
    due = amount_due(world, customer, ticket, Tier.DOUBLE_FUN, day)
    assert due in reply.text
    assert "Saturday 18 April 2026" in reply.text
    assert "Shall I hold Double Fun on Saturday 18 April 2026" in reply.text
    assert "lounge" in reply.text.lower()  # what the tier includes, from the tool


def test_without_a_date_the_price_is_for_the_tickets_visit_date(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    ticket = world.ticket(customer, visit_in=20)
    conversation = chat(world, customer, reasoner)
    reply = conversation.say(f"What would standard cost for {ticket.number}?")
    assert conversation.tools.names() == ["get_ticket", "upgrade_options"]
    due = amount_due(world, customer, ticket, Tier.STANDARD, ticket.visit_date)
    assert due in reply.text
    assert "your visit date" in reply.text


def test_the_cheapest_date_is_the_lowest_amount_due_in_the_window(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    ticket = world.ticket(customer, visit_in=20)
    conversation = chat(world, customer, reasoner)
    reply = conversation.say(f"Which is the cheapest day for nonstop with {ticket.number}?")
    # the bookable window, a month at a time (as the Data Agent gives it), in one step
    assert conversation.tools.calls == [
        (
            "upgrade_options",
            {"ticket": ticket.number.value, "start": f"{TODAY + timedelta(days=d)}", "days": 31},
        )
        for d in (0, 31, 62, 93)
    ]
    command = GetUpgradeOptionsCommand(customer, ticket.number.value, None, 120)
    calendar = world.container.get_upgrade_options()(command).calendar
    available = [
        (day.options[Tier.NON_STOP].amount_due.amount, day.day)
        for day in calendar
        if day.options[Tier.NON_STOP].available
    ]
    lowest, first = min(available)
    assert f"${lowest}" in reply.text
    assert f"is {first:%A} {first.day} {first:%B %Y}" in reply.text
    # and saying yes holds exactly that
    conversation.say("yes please")
    assert conversation.tools.calls[-1] == (
        "quote_upgrade",
        {"ticket": ticket.number.value, "tier": "non-stop", "date": first.isoformat()},
    )


def test_the_cheapest_date_in_a_month_asks_for_that_month_only(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    ticket = world.ticket(customer, visit_in=20)
    conversation = chat(world, customer, reasoner)
    conversation.say(f"cheapest day in May for {ticket.number}?")
    assert conversation.tools.calls == [
        ("upgrade_options", {"ticket": ticket.number.value, "start": "2026-05-01", "days": 31})
    ]


@pytest.mark.parametrize(
    ("tier", "status", "expected"),
    [
        (Tier.DOUBLE_FUN, TicketStatus.ACTIVE, "already Double Fun, our top tier"),
        (Tier.GENERAL, TicketStatus.USED, "is used, so it cannot be upgraded"),
        (Tier.GENERAL, TicketStatus.ACTIVE, "can be upgraded"),
    ],
)
def test_eligibility_answers_give_the_reason(
    world: World,
    customer: CustomerId,
    reasoner: RuleBasedReasoner,
    tier: Tier,
    status: TicketStatus,
    expected: str,
) -> None:
    ticket = world.ticket(customer, tier=tier, status=status)
    conversation = chat(world, customer, reasoner)
    reply = conversation.say(f"is {ticket.number.value.lower()} eligible for an upgrade?")
    assert conversation.tools.names() == ["check_eligibility"]
    assert expected in reply.text


def test_unknown_and_other_peoples_tickets_get_the_same_not_found_answer(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    someone_else = world.customer()
    theirs = world.ticket(someone_else)
    conversation = chat(world, customer, reasoner)
    foreign = conversation.say(f"book premium for {theirs.number} on Dec 5")
    unknown = conversation.say("book premium for TKT-99999999 on Dec 5")
    assert "could not find that ticket" in foreign.text
    assert foreign.text == unknown.text
    assert str(theirs.visit_date) not in foreign.text


def test_what_a_tier_includes_comes_from_the_tools(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    world.ticket(customer)
    conversation = chat(world, customer, reasoner)
    reply = conversation.say("What does the non-stop include?")
    assert conversation.tools.names() == ["list_tickets", "upgrade_options"]  # their only ticket
    assert "Non-stop includes park entry, unlimited express lanes and early entry." in reply.text


def test_with_several_tickets_it_asks_which_one(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    first = world.ticket(customer)
    second = world.ticket(customer, visit_in=30)
    conversation = chat(world, customer, reasoner)
    reply = conversation.say("How much is Non-stop on May 5?")
    assert conversation.tools.names() == ["list_tickets"]
    assert "Which ticket" in reply.text
    assert first.number.value in reply.text
    assert second.number.value in reply.text
    answer = conversation.say(f"{second.number}")
    assert conversation.tools.calls[-1] == (
        "upgrade_options",
        {"ticket": second.number.value, "start": "2026-05-05", "days": 1},
    )
    assert amount_due(world, customer, second, Tier.NON_STOP, date(2026, 5, 5)) in answer.text


def test_a_date_outside_the_window_is_explained(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    ticket = world.ticket(customer)
    reply = chat(world, customer, reasoner).say(f"price of nonstop for {ticket.number} on Dec 5?")
    assert reply.text == (
        f"Non-stop cannot be booked for {ticket.number} on Saturday 5 December 2026: only dates "
        "from Thursday 12 March 2026 to Wednesday 8 July 2026 can be booked. Ask me for the "
        "cheapest date, or pick another one."
    )


def test_tickets_and_their_details_in_plain_words(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    first = world.ticket(customer, visit_in=20)
    second = world.ticket(customer, tier=Tier.STANDARD, visit_in=40)
    conversation = chat(world, customer, reasoner)
    listing = conversation.say("I forgot my ticket number, which tickets do I have?")
    assert listing.text == (
        f"You have 2 tickets: {first.number} (General admission, visit Monday 30 March 2026); "
        f"{second.number} (Standard, visit Sunday 19 April 2026)."
    )
    details = conversation.say(f"what's the status of my ticket {second.number}?")
    assert conversation.tools.calls[-1] == ("get_ticket", {"ticket": second.number.value})
    assert details.text.startswith(
        f"{second.number} is a Standard ticket for Sunday 19 April 2026, active. "
        "It can be upgraded."
    )


def test_a_greeting_with_a_question_answers_both(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    ticket = world.ticket(customer, visit_in=20)
    reply = chat(world, customer, reasoner).say(f"Hi! Is {ticket.number} eligible?")
    assert reply.text == f"Hello! Yes, {ticket.number} can be upgraded. " + (
        "Tell me a tier (Standard, Non-stop or Double Fun) and a date, and I will show you the "
        "price."
    )


# -- conversations: slots carried, confirming, paying, cancelling ------------------------------


def test_a_ticket_given_early_and_a_tier_two_turns_later_is_not_asked_again(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    world.ticket(customer)
    mine = world.ticket(customer, visit_in=25)
    conversation = chat(world, customer, reasoner)
    conversation.say(f"Hi, I have ticket {mine.number.value.lower()}")
    conversation.say("what would it cost on 2026-04-15?")
    reply = conversation.say("and for premium?")
    assert "Which ticket" not in reply.text
    assert conversation.tools.calls[-1] == (
        "upgrade_options",
        {"ticket": mine.number.value, "start": "2026-04-15", "days": 1},
    )
    assert amount_due(world, customer, mine, Tier.DOUBLE_FUN, date(2026, 4, 15)) in reply.text
    held = conversation.say("ok book it")
    assert conversation.tools.calls[-1] == (
        "quote_upgrade",
        {"ticket": mine.number.value, "tier": "double-fun", "date": "2026-04-15"},
    )
    assert "Done: I am holding Double Fun on Wednesday 15 April 2026" in held.text


def test_happy_path_from_hello_to_the_payment_form(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    ticket = world.ticket(customer, visit_in=20)
    conversation = chat(world, customer, reasoner)
    assert "Hello!" in conversation.say("hello").text
    options = conversation.say(f"I'd like to upgrade {ticket.number}")
    assert "Which tier would you like?" in options.text
    offer = conversation.say("the no queues one")
    assert "Shall I hold Non-stop on" in offer.text
    held = conversation.say("yes")
    order = world.container.list_my_orders()(customer)[0]
    assert order.order.tier is Tier.NON_STOP
    assert order.order.day == ticket.visit_date
    assert f"${order.order.amount_due.amount}" in held.text
    assert str(order.id) in held.text
    assert "secure payment form" in held.text
    assert "09:15 (park time)" in held.text  # 15 minutes from 09:00 at the park
    # A second yes does not hold it twice: it shows what there is to pay.
    again = conversation.say("yes")
    assert conversation.tools.calls[-1] == ("order_status", {"order_id": str(order.id)})
    assert f"${order.order.amount_due.amount} to pay" in again.text
    assert len(world.container.list_my_orders()(customer)) == 1


def test_order_status_in_plain_words(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    ticket = world.ticket(customer, visit_in=20)
    quote = world.quote(customer, ticket, Tier.STANDARD, world.day(10))
    world.pay(customer, quote.id)
    paid = world.container.get_order()(customer, quote.order.id)
    conversation = chat(world, customer, reasoner)
    assert "Which order" in conversation.say("what's the status of my order?").text
    reply = conversation.say(f"{quote.id}")
    assert conversation.tools.calls == [("order_status", {"order_id": str(quote.id)})]
    assert "confirmed" in reply.text
    assert str(paid.order.confirmation_code) in reply.text


def test_cancelling_drops_the_choice_and_uses_the_cancel_tool_when_offered(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    ticket = world.ticket(customer, visit_in=20)
    conversation = chat(world, customer, reasoner)
    conversation.say(f"how much is standard for {ticket.number} on 2026-04-01?")
    dropped = conversation.say("never mind")
    assert dropped.text.startswith("All right, I have set that aside.")
    after = conversation.say("how much then?")  # the tier and date chosen before are gone
    assert "Which tier would you like?" in after.text
    assert "your visit date" in after.text
    held = conversation.say("book double fun on 2026-04-02")
    assert "Done: I am holding" in held.text
    reply = conversation.say("actually, cancel that")
    assert "cannot cancel a hold from here" in reply.text
    assert "nothing is charged" in reply.text
    assert conversation.tools.names()[-1] == "quote_upgrade"  # no cancel tool: nothing called

    other = world.ticket(customer, visit_in=20)
    tools = UseCaseTools(world.container, customer)
    with_cancel = Conversation(reasoner, tools, offered=(*TOOL_SPECS, CANCEL_SPEC))
    with_cancel.say(f"book standard for {other.number} on 2026-04-01")
    cancelled = with_cancel.say("cancel it please")
    assert tools.names()[-1] == "cancel_upgrade"
    assert "cancelled and nothing was charged" in cancelled.text


def test_account_details_are_read_and_changed_through_the_tools(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    conversation = chat(world, customer, reasoner)
    assert "Ana Lopez (ana@example.com)" in conversation.say("who am I?").text
    reply = conversation.say("please change my email to Ana.New@example.com")
    assert conversation.tools.calls[-1] == ("update_customer", {"email": "Ana.New@example.com"})
    assert "ana.new@example.com" in reply.text
    refused = conversation.say("change my email to not-an-email")
    assert refused.text.startswith("What would you like to change?")


def test_a_tool_refusal_is_answered_in_the_tools_words(reasoner: RuleBasedReasoner) -> None:
    call = only_call(first_step(reasoner, "book nonstop for TKT-00000001 tomorrow"))
    refusal = ToolResult(
        call.id,
        {
            "code": "date_out_of_window",
            "message": "Upgrades can be booked from 2026-03-12.",
            "guidance": "Pick a later date.",
        },
        is_error=True,
        code="date_out_of_window",
    )
    reply = reasoner.reply(
        "",
        [
            Message("user", "book nonstop for TKT-00000001 tomorrow"),
            Message("assistant", tool_calls=(call,)),
            Message("user", tool_results=(refusal,)),
        ],
        TOOL_SPECS,
    )
    assert reply.stop_reason is StopReason.END_TURN
    assert reply.text == "Sorry, upgrades can be booked from 2026-03-12. Pick a later date."


def test_call_ids_are_unique_within_a_conversation(
    world: World, customer: CustomerId, reasoner: RuleBasedReasoner
) -> None:
    ticket = world.ticket(customer, visit_in=20)
    seen: list[str] = []

    class Recording(UseCaseTools):
        def call(self, call_id: str, name: str, arguments: Mapping[str, Any]) -> ToolResult:
            seen.append(call_id)
            return super().call(call_id, name, arguments)

    conversation = Conversation(reasoner, Recording(world.container, customer))
    conversation.say(f"what would standard cost for {ticket.number}?")
    assert len(seen) == 2
    assert len(set(seen)) == 2
    assert all(re.fullmatch(r"[a-zA-Z0-9_.:-]{1,64}", call_id) for call_id in seen)


def test_the_reply_depends_only_on_the_conversation(clock: FixedClock) -> None:
    text = "How much is double fun for TKT-00000001 next Saturday?"
    one = first_step(RuleBasedReasoner(clock, PARK), text)
    two = first_step(RuleBasedReasoner(clock, PARK), text)
    assert one == two
    clock.advance(timedelta(days=7))
    later = first_step(RuleBasedReasoner(clock, PARK), text)
    assert later.tool_calls[0].arguments["start"] == "2026-03-28"
