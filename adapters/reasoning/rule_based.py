"""A deterministic reasoner: no model, no network, the same answer to the same conversation.

It reads the whole conversation (every customer message and every tool result already in it),
decides what the customer wants and which details they gave (see `dialogue`), and then either
asks for tool calls, exactly as a language model would through Converse (one at a time, or a
few pages of the calendar at once), or answers in plain words from the tool results (see
`wording`). It never invents a ticket, a price or a
date: what it does not know it asks for, or looks up. It only calls tools it is offered; when
the one it needs is missing it says it cannot do that.

The tools and their arguments are the Data Agent's: `list_tickets`, `get_ticket(ticket)`,
`check_eligibility(ticket)`, `upgrade_options(ticket, start?, days?)`,
`quote_upgrade(ticket, tier, date)`, `order_status(order_id)`, `find_customer`,
`update_customer(email?, first_name?, last_name?)`, and `cancel_upgrade(order_id)` when offered.
`record_payment` is never called from chat: a payment is recorded by the site once its payment
form has charged the card, never on anyone's word in a conversation.

Asking the price never holds anything; an upgrade is held (quoted) only once the customer has
named the tier and the date, or said yes to "Shall I hold ...?".

Confidence, which the caller may show or use to flag a conversation: 0.9 for small talk and
help, 0.8 for a tool call or an answer read from tool results, 0.7 when asking for a missing
detail, 0.5 when a needed tool is not offered, 0.3 when the message was not understood or goes
to a person (`escalate` is then set).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from adapters.reasoning import wording
from adapters.reasoning.dialogue import Dialogue, read
from adapters.reasoning.intents import Goal
from application.ports.clock import Clock
from application.ports.reasoning import Message, Reply, StopReason, ToolCall, ToolSpec

SMALL_TALK = 0.9
SURE = 0.8
ASKING = 0.7
CANNOT = 0.5
UNSURE = 0.3
# The Data Agent gives at most a month of calendar per call: the cheapest date over the whole
# bookable window (120 days ahead by default) is asked for in pages, all in one step.
CALENDAR_PAGE_DAYS = 31
CHEAPEST_PAGES = 4


class _Step(Exception):  # noqa: N818 - control flow, not an error
    """Ends the handling of a message early: a tool must be called first, or the answer is
    already known (a refusal, a missing detail)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__()
        self.reply = reply


def _answer(text: str, confidence: float, escalate: bool = False) -> Reply:
    return Reply(text, (), StopReason.END_TURN, confidence=confidence, escalate=escalate)


class RuleBasedReasoner:
    """A `Reasoner` made of rules: it understands greetings, help, ticket references, tiers
    and their synonyms, dates in many phrasings, questions about prices, the cheapest date,
    what a tier includes, eligibility and orders; choosing, confirming and cancelling; and
    hands refunds, complaints, legal matters and requests for a person to the team.
    Dates are read relative to today in the park's time zone."""

    def __init__(self, clock: Clock, park_timezone: str) -> None:
        self._clock = clock
        self._zone = ZoneInfo(park_timezone)

    def reply(self, system: str, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> Reply:
        # The system text is for language models: the rules already know their job.
        today = self._today()
        dialogue = read(messages, today)
        turn = _Turn(dialogue, {tool.name for tool in tools}, self._zone, today)
        try:
            reply = turn.handle()
        except _Step as step:
            reply = step.reply
        if (
            dialogue.greeted
            and dialogue.goal is not Goal.GREET
            and reply.text
            and not reply.tool_calls
        ):
            reply = replace(reply, text=f"Hello! {reply.text}")
        return reply

    def _today(self) -> date:
        return self._clock.now().astimezone(self._zone).date()


class _Turn:
    """The handling of one step of one conversation turn."""

    def __init__(self, dialogue: Dialogue, offered: set[str], zone: ZoneInfo, today: date) -> None:
        self.d = dialogue
        self.slots = dialogue.slots
        self.offered = offered
        self.zone = zone
        self.today = today

    def handle(self) -> Reply:
        goal = self.d.goal
        if goal is None:
            return _answer(wording.NOT_UNDERSTOOD, UNSURE)
        handler: Callable[[], Reply] = getattr(self, f"_{goal.value}")
        return handler()

    # -- tools ---------------------------------------------------------------------------

    def call(self, name: str, arguments: Mapping[str, Any], what: str) -> Any:
        """The result of this call made earlier in the turn; otherwise stops here asking for
        it. A refusal ends the turn with the tool's own words."""
        return self.calls(name, [arguments], what)[0]

    def calls(self, name: str, batch: Sequence[Mapping[str, Any]], what: str) -> list[Any]:
        """The results of several calls of one tool, asked for together (as a model may ask
        for several tools in one step) when any is missing."""
        if name not in self.offered:
            raise _Step(_answer(wording.cannot(what), CANNOT))
        answered = [self.d.result(name, arguments) for arguments in batch]
        missing = [batch[n] for n, result in enumerate(answered) if result is None]
        if missing:
            first = self.d.calls_made + 1
            asked = tuple(
                ToolCall(f"rule-{first + n}", name, dict(arguments))
                for n, arguments in enumerate(missing)
            )
            raise _Step(Reply("", asked, StopReason.TOOL_USE, confidence=SURE))
        results = [result for result in answered if result is not None]
        refusal = next((result for result in results if result.is_error), None)
        if refusal is not None:
            raise _Step(_answer(wording.error(refusal), SURE))
        return [result.content for result in results]

    def ticket(self, any_will_do: bool = False) -> str:
        """The ticket the conversation is about: named by the customer, or their only one
        (their first active one when any will do, as for what a tier includes)."""
        if self.slots.ticket:
            return self.slots.ticket
        if "list_tickets" not in self.offered:
            raise _Step(_answer(wording.ASK_TICKET, ASKING))
        listing = wording.items(self.call("list_tickets", {}, "list your tickets"), "tickets")
        active = [t for t in listing if t.get("status", "active") == "active"] or listing
        if len(active) == 1 or (active and any_will_do):
            return str(active[0].get("number") or active[0].get("id"))
        if not listing:
            raise _Step(_answer(wording.tickets(listing), ASKING))
        raise _Step(_answer(wording.which_ticket(listing), ASKING))

    def visit_date(self, reference: str) -> date:
        """The ticket's visit date, from any tool result so far, or looked up."""
        for content in reversed(self.d.successes()):
            for found in [wording.ticket_of(content), *wording.items(content, "tickets")]:
                if found is not None and wording.matches(found, reference):
                    visit = wording.as_date(found.get("visit_date"))
                    if visit is not None:
                        return visit
        content = self.call("get_ticket", {"ticket": reference}, "look up your ticket")
        found = wording.ticket_of(content)
        visit = wording.as_date(found.get("visit_date")) if found else None
        if visit is None:
            raise _Step(_answer("Which date would you like? Please give it as 2026-12-05.", ASKING))
        return visit

    # -- goals ---------------------------------------------------------------------------

    def _greet(self) -> Reply:
        return _answer(wording.GREETING, SMALL_TALK)

    def _help(self) -> Reply:
        return _answer(wording.HELP, SMALL_TALK)

    def _thanks(self) -> Reply:
        return _answer(wording.THANKS, SMALL_TALK)

    def _decline(self) -> Reply:
        return _answer(wording.DECLINED, SMALL_TALK)

    def _card(self) -> Reply:
        return _answer(wording.CARD, SMALL_TALK)

    def _escalate(self) -> Reply:
        return _answer(wording.ESCALATED, UNSURE, escalate=True)

    def _list_tickets(self) -> Reply:
        listing = self.call("list_tickets", {}, "list your tickets")
        return _answer(wording.tickets(wording.items(listing, "tickets")), SURE)

    def _ticket_info(self) -> Reply:
        reference = self.ticket()
        return _answer(
            wording.ticket(self.call("get_ticket", {"ticket": reference}, "look up your ticket")),
            SURE,
        )

    def _eligibility(self) -> Reply:
        reference = self.ticket()
        content = self.call("check_eligibility", {"ticket": reference}, "check your ticket")
        return _answer(wording.eligibility(content, reference), SURE)

    def _tier_info(self) -> Reply:
        reference = self.ticket(any_will_do=True)
        options = self.call(
            "upgrade_options", {"ticket": reference, "days": 1}, "describe the tiers"
        )
        return _answer(wording.tier_features(options, self.slots.tier), SURE)

    def _price(self) -> Reply:
        reference = self.ticket()
        when = self.slots.day or self.visit_date(reference)
        options = self.call(
            "upgrade_options",
            {"ticket": reference, "start": when.isoformat(), "days": 1},
            "look up upgrade prices",
        )
        tier = self.slots.tier
        text, bookable = wording.prices_on(options, when, tier, reference, self.slots.day is None)
        if tier is not None and bookable:
            text += " " + wording.tier_features(options, tier)
            text += " " + wording.proposal(tier, when, reference)
        return _answer(text, SURE)

    def _cheapest(self) -> Reply:
        reference = self.ticket()
        if self.slots.month is not None:
            start, days = self.slots.month
            pages = [{"ticket": reference, "start": start.isoformat(), "days": days}]
        else:
            pages = [
                {
                    "ticket": reference,
                    "start": (self.today + timedelta(days=page * CALENDAR_PAGE_DAYS)).isoformat(),
                    "days": CALENDAR_PAGE_DAYS,
                }
                for page in range(CHEAPEST_PAGES)
            ]
        calendars = self.calls("upgrade_options", pages, "look up upgrade prices")
        text, best = wording.cheapest(calendars, self.slots.tier, reference)
        if self.slots.tier is not None and best is not None:
            text += " " + wording.proposal(self.slots.tier, best, reference)
        return _answer(text, SURE)

    def _book(self) -> Reply:
        reference = self.ticket()
        if self.slots.tier is None or self.slots.day is None:
            return self._price()  # show what can be had, and ask for what is missing
        order = self.call(
            "quote_upgrade",
            {"ticket": reference, "tier": self.slots.tier.key, "date": self.slots.day.isoformat()},
            "hold an upgrade",
        )
        return _answer(wording.quote(order, self.zone), SURE)

    def _confirm(self) -> Reply:
        # A yes to no question, once an order exists, means "let me pay it" (holding the same
        # upgrade again would only be refused while the first hold lasts).
        if not self.d.accepted and self.slots.order_id is not None:
            return self._pay()
        return self._book()

    def _pay(self) -> Reply:
        if self.slots.order_id is None:
            if self.slots.tier is not None and self.slots.day is not None:
                return self._book()
            return _answer(wording.ASK_TIER_AND_DATE, ASKING)
        content = self.call("order_status", {"order_id": self.slots.order_id}, "look up orders")
        return _answer(wording.order(content, self.zone, paying=True), SURE)

    def _order_status(self) -> Reply:
        if self.slots.order_id is None:
            return _answer(wording.ASK_ORDER, ASKING)
        content = self.call("order_status", {"order_id": self.slots.order_id}, "look up orders")
        return _answer(wording.order(content, self.zone), SURE)

    def _cancel(self) -> Reply:
        order_id = self.slots.order_id
        if order_id is not None and "cancel_upgrade" in self.offered:
            content = self.call("cancel_upgrade", {"order_id": order_id}, "cancel upgrades")
            return _answer(wording.order(content, self.zone), SURE)
        text = "All right, I have set that aside."
        if order_id is not None:
            text += (
                " I cannot cancel a hold from here, but one that is not paid lapses by itself "
                "and nothing is charged."
            )
        return _answer(text + " What would you like to do instead?", SURE)

    def _account(self) -> Reply:
        return _answer(
            wording.customer(self.call("find_customer", {}, "look up your account")), SURE
        )

    def _update_account(self) -> Reply:
        changes = dict(self.slots.changes)
        if not changes:
            return _answer(wording.ASK_ACCOUNT_CHANGE, ASKING)
        content = self.call("update_customer", changes, "change your account")
        return _answer(wording.updated(content, changes), SURE)
