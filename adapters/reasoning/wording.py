"""The rule-based reasoner's answers in plain words, built only from what the tools returned.

The tool results are read in the shapes the Data Agent answers with (the same as the HTTP
API's: a ticket has `number`, `tier`, `visit_date`, `status`, `eligibility`; upgrade options
have `tiers` and a `calendar` of days with each tier's `price`, `amount_due`, `available` and
`reason`; an order has `id`, `status`, `tier`, `date` or `visit_date`, `amount_due`,
`currency`, `expires_at`). A missing field is left out of the sentence, never made up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from application.ports.reasoning import ToolResult
from domain.tiers import DEFAULT_TIER_NAMES, UPGRADE_TIERS, Tier

HELP = (
    "I can show your tickets, tell you whether a ticket can be upgraded, what Standard, "
    "Non-stop and Double Fun include and cost on any date, find the cheapest date, hold an "
    'upgrade for you, and tell you where an order stands. For example: "How much is Non-stop '
    'for TKT-12345678 on December 5?"'
)
GREETING = f"Hello! {HELP}"
NOT_UNDERSTOOD = f"Sorry, I did not understand that. {HELP}"
THANKS = "You're welcome! Is there anything else I can help with?"
DECLINED = "No problem. Is there anything else I can help with?"
# The conversation turn itself tells the customer the number was removed; this only adds what
# to do instead.
CARD = "When an upgrade is held for you, the site shows its secure payment form for the card."
ESCALATED = (
    "I have flagged this for our customer team: a person will look at it and follow up with "
    "you by email. I cannot handle refunds, complaints or legal matters myself."
)
ASK_TICKET = (
    "Which ticket is it about? Please give its number: TKT- followed by 8 digits, "
    "for example TKT-00012345."
)
ASK_ORDER = "Which order? Please give the order number from your quote or confirmation email."
ASK_TIER_AND_DATE = (
    "There is nothing to pay yet: tell me the tier (Standard, Non-stop or Double Fun) and the "
    "date you would like, and I will hold it for you."
)
ASK_ACCOUNT_CHANGE = (
    'What would you like to change? For example: "change my email to ana@example.com" or '
    '"my last name is Lopez".'
)
_ASK_TIER = (
    "Tell me a tier (Standard, Non-stop or Double Fun) and a date, and I will show you the price."
)
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
_REASONS = {
    "tier_not_higher": "your ticket is already at this tier or above",
    "sold_out": "it is sold out",
    "date_closed": "the park is closed that day",
    "date_out_of_window": "that date cannot be booked",
}
_ORDER_STATES = {
    "processing": "we are confirming your payment with the card issuer; ask me again shortly.",
    "expired": "the hold expired before it was paid, so nothing was charged. I can hold it "
    "again if you like.",
    "cancelled": "it was cancelled and nothing was charged.",
    "failed": "the card was declined too many times, so the order was closed; nothing was charged.",
    "refunded": "it was refunded, and the ticket is back as it was.",
}


# -- small pieces ----------------------------------------------------------------------------


def tier_name(key: Any) -> str:
    try:
        return DEFAULT_TIER_NAMES[Tier(str(key))]
    except ValueError:
        return str(key)


def money(amount: Any, currency: Any) -> str:
    try:
        value = f"{Decimal(str(amount)):.2f}"
    except InvalidOperation:
        value = str(amount)
    symbol = _SYMBOLS.get(str(currency))
    return f"{symbol}{value}" if symbol else f"{value} {currency or ''}".strip()


def day(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _day_text(value: Any) -> str:
    parsed = as_date(value)
    return day(parsed) if parsed else str(value)


def _clock(value: Any, zone: ZoneInfo) -> str | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return f"{moment.astimezone(zone):%H:%M} (park time)"


def items(content: Any, key: str) -> list[Mapping[str, Any]]:
    """The list a tool answered, bare or under `key` (MCP wraps lists in an object)."""
    found = content.get(key, content.get("result")) if isinstance(content, Mapping) else content
    if not isinstance(found, Sequence) or isinstance(found, str):
        return []
    return [item for item in found if isinstance(item, Mapping)]


def ticket_of(content: Any) -> Mapping[str, Any] | None:
    """The ticket in a tool's answer: the answer itself, or under `ticket`."""
    if not isinstance(content, Mapping):
        return None
    inner = content.get("ticket")
    if isinstance(inner, Mapping):
        return inner
    return content if "number" in content or "visit_date" in content else None


def matches(ticket: Mapping[str, Any], reference: str) -> bool:
    wanted = reference.lower()
    return wanted in {str(ticket.get("number", "")).lower(), str(ticket.get("id", "")).lower()}


# -- answers ---------------------------------------------------------------------------------


def error(result: ToolResult) -> str:
    """A tool's refusal in its own words: the domain's message and guidance."""
    content = result.content
    if isinstance(content, Mapping):
        message = str(content.get("message") or content.get("detail") or "")
        guidance = str(content.get("guidance") or "")
    else:
        message, guidance = str(content or ""), ""
    if not message:
        message = f"that did not work ({result.code or 'error'})."
    return f"Sorry, {message[:1].lower()}{message[1:]} {guidance}".strip()


def cannot(what: str) -> str:
    return f"Sorry, I cannot {what} here. {HELP}"


def ticket_line(ticket: Mapping[str, Any]) -> str:
    details = [tier_name(ticket["tier"])] if ticket.get("tier") else []
    if ticket.get("visit_date"):
        details.append(f"visit {_day_text(ticket['visit_date'])}")
    if ticket.get("status") and ticket.get("status") != "active":
        details.append(str(ticket["status"]))
    name = ticket.get("number") or ticket.get("id") or "a ticket"
    return f"{name} ({', '.join(details)})" if details else str(name)


def tickets(listing: Sequence[Mapping[str, Any]]) -> str:
    if not listing:
        return "I cannot find any tickets on your account. " + ASK_TICKET
    if len(listing) == 1:
        return f"You have one ticket: {ticket_line(listing[0])}."
    lines = "; ".join(ticket_line(ticket) for ticket in listing)
    return f"You have {len(listing)} tickets: {lines}."


def which_ticket(listing: Sequence[Mapping[str, Any]]) -> str:
    lines = "; ".join(ticket_line(ticket) for ticket in listing)
    return f"Which ticket is it about? You have: {lines}."


def ticket(content: Any) -> str:
    found = ticket_of(content)
    if found is None:
        return "I found the ticket, but could not read its details."
    name = found.get("number") or found.get("id") or "Your ticket"
    tier = f"a {tier_name(found['tier'])} ticket" if found.get("tier") else "a ticket"
    visit = f" for {_day_text(found['visit_date'])}" if found.get("visit_date") else ""
    status = f", {found['status']}" if found.get("status") else ""
    text = f"{name} is {tier}{visit}{status}."
    eligibility = found.get("eligibility")
    if isinstance(eligibility, Mapping):
        text += " " + _eligibility_sentence(eligibility)
    return text


def eligibility(content: Any, reference: str) -> str:
    found = content.get("eligibility", content) if isinstance(content, Mapping) else {}
    if not isinstance(found, Mapping) or "eligible" not in found:
        return f"I checked {reference}, but could not read the answer."
    if found.get("eligible"):
        return f"Yes, {reference} can be upgraded. {_ASK_TIER}"
    return _eligibility_sentence(found)


def _eligibility_sentence(eligibility: Mapping[str, Any]) -> str:
    if eligibility.get("eligible"):
        return f"It can be upgraded. {_ASK_TIER}"
    message = str(eligibility.get("message") or "It cannot be upgraded.")
    guidance = str(eligibility.get("guidance") or "")
    return f"{message} {guidance}".strip()


def tier_features(options: Any, tier: Tier | None) -> str:
    described = items(options, "tiers")
    if tier is not None:
        described = [d for d in described if d.get("key") == tier.key]
    if not described:
        return "I could not find the tier descriptions just now."
    parts = []
    for description in described:
        features = description.get("features") or []
        name = description.get("name") or tier_name(description.get("key"))
        parts.append(f"{name} includes {_listed(features)}." if features else f"{name}.")
    return " ".join(parts)


def _listed(words: Sequence[Any]) -> str:
    texts = [str(word)[:1].lower() + str(word)[1:] for word in words]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


def _calendar(options: Any) -> list[Mapping[str, Any]]:
    return items(options, "calendar")


def _unavailable(option: Mapping[str, Any], options: Any) -> str:
    reason = str(option.get("reason") or "")
    if reason == "date_out_of_window" and isinstance(options, Mapping):
        first = as_date(options.get("first_bookable"))
        last = as_date(options.get("last_bookable"))
        if first and last:
            return f"only dates from {day(first)} to {day(last)} can be booked"
    return _REASONS.get(reason, "it is not available")


def prices_on(
    options: Any, when: date, tier: Tier | None, reference: str, visit_date: bool
) -> tuple[str, bool]:
    """The prices of one day (of one tier, or all three), and whether the tier asked for can be
    held that day."""
    currency = options.get("currency") if isinstance(options, Mapping) else None
    found = next((d for d in _calendar(options) if as_date(d.get("date")) == when), None)
    on = f"on your visit date, {day(when)}" if visit_date else f"on {day(when)}"
    if found is None or not isinstance(found.get("tiers"), Mapping):
        return f"I could not find prices for {reference} {on}.", False
    offered = found["tiers"]
    if tier is not None:
        option = offered.get(tier.key)
        if not isinstance(option, Mapping):
            return f"I could not find {tier_name(tier.key)} {on}.", False
        if not option.get("available"):
            return (
                f"{tier_name(tier.key)} cannot be booked for {reference} {on}: "
                f"{_unavailable(option, options)}. Ask me for the cheapest date, or pick "
                "another one.",
                False,
            )
        text = (
            f"Upgrading {reference} to {tier_name(tier.key)} {on}{',' if visit_date else ''} costs "
            f"{money(option.get('amount_due'), currency)} (the {tier_name(tier.key)} price that "
            f"day is {money(option.get('price'), currency)}; your ticket counts for the rest)."
        )
        return text, True
    lines = []
    for key in (t.key for t in UPGRADE_TIERS):
        option = offered.get(key)
        if not isinstance(option, Mapping):
            continue
        if option.get("available"):
            lines.append(f"{tier_name(key)}: {money(option.get('amount_due'), currency)}")
        else:
            lines.append(f"{tier_name(key)}: not available ({_unavailable(option, options)})")
    listed = "; ".join(lines)
    return f"Upgrading {reference} {on}: {listed}. Which tier would you like?", False


def proposal(tier: Tier, when: date, reference: str) -> str:
    """The question a "yes" accepts (the dialogue reads it back from the last answer)."""
    return f"Shall I hold {tier_name(tier.key)} on {day(when)} for {reference}?"


def cheapest(pages: Sequence[Any], tier: Tier | None, reference: str) -> tuple[str, date | None]:
    """The cheapest available day for the tier (or for each tier) over pages of the calendar,
    and that day when one tier was asked for."""
    currency = next((p.get("currency") for p in pages if isinstance(p, Mapping)), None)
    keys = [tier.key] if tier is not None else [t.key for t in UPGRADE_TIERS]
    sentences = []
    best_day = None
    for key in keys:
        offers = []
        for found in (day for page in pages for day in _calendar(page)):
            offered = found.get("tiers")
            option = offered.get(key) if isinstance(offered, Mapping) else None
            when = as_date(found.get("date"))
            if isinstance(option, Mapping) and option.get("available") and when is not None:
                try:
                    offers.append((Decimal(str(option.get("amount_due"))), when))
                except InvalidOperation:
                    continue
        if not offers:
            sentences.append(f"{tier_name(key)} cannot be booked on any of those dates.")
            continue
        lowest = min(amount for amount, _ in offers)
        days = sorted(when for amount, when in offers if amount == lowest)
        others = f" (also {', '.join(day(d) for d in days[1:3])})" if len(days) > 1 else ""
        sentences.append(
            f"The cheapest day for {tier_name(key)} is {day(days[0])}{others}: "
            f"{money(lowest, currency)} to upgrade."
        )
        best_day = days[0]
    text = f"For {reference}: " + " ".join(sentences)
    return text, best_day if tier is not None else None


def quote(order: Any, zone: ZoneInfo) -> str:
    if not isinstance(order, Mapping):
        return "Your upgrade is on hold. Please pay in the secure payment form."
    what = _order_what(order)
    until = _clock(order.get("expires_at"), zone)
    held = f" until {until}" if until else ""
    due = money(order.get("amount_due"), order.get("currency"))
    reference = f" Your order number is {order['id']}." if order.get("id") else ""
    return (
        f"Done: I am holding {what}{held}. The amount due is {due}. Please pay in the secure "
        f"payment form (I never take card details in chat).{reference}"
    )


def _order_what(order: Mapping[str, Any]) -> str:
    tier = tier_name(order["tier"]) if order.get("tier") else "your upgrade"
    when = order.get("date") or order.get("visit_date")
    ticket = order.get("ticket")
    return tier + (f" on {_day_text(when)}" if when else "") + (f" for {ticket}" if ticket else "")


def order(content: Any, zone: ZoneInfo, paying: bool = False) -> str:
    if not isinstance(content, Mapping):
        return "I found the order, but could not read its details."
    status = str(content.get("status", ""))
    what = _order_what(content)
    if status == "pending":
        until = _clock(content.get("expires_at"), zone)
        held = f" until {until}" if until else ""
        due = money(content.get("amount_due"), content.get("currency"))
        return (
            f"{what} is held for you{held}: {due} to pay. Please pay in the secure payment form "
            "(I never take card details in chat)."
        )
    if status == "confirmed":
        code = content.get("confirmation_code")
        text = f"Your upgrade to {what} is confirmed"
        text += f", confirmation code {code}." if code else "."
        return text + (" There is nothing left to pay." if paying else "")
    state = _ORDER_STATES.get(status, f"Its status is {status or 'unknown'}.")
    return f"Your order for {what}: {state}"


def customer(content: Any) -> str:
    if not isinstance(content, Mapping):
        return "I could not read your account details just now."
    name = " ".join(str(content.get(k, "")) for k in ("first_name", "last_name")).strip()
    email = content.get("email")
    if name and email:
        return f"You are signed in as {name} ({email})."
    return f"You are signed in as {name or email or 'a customer'}."


def updated(content: Any, changes: Mapping[str, str]) -> str:
    labels = {"email": "email", "first_name": "first name", "last_name": "last name"}
    shown = content if isinstance(content, Mapping) else changes
    done = [f"your {labels[key]} is now {shown.get(key, value)}" for key, value in changes.items()]
    return "Done: " + " and ".join(done) + "."
